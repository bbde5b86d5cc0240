package dev.junction.server.api;

/** A request the admin API refuses, turned into problem+json by {@link AdminApi}'s one error mapper. */
final class ApiProblem extends RuntimeException {
    final int status;
    final String type;
    final String title;

    ApiProblem(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "bad-request", "Bad request", detail);
    }

    static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail);
    }
}
