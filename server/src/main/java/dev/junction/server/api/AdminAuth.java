package dev.junction.server.api;

import dev.junction.connectors.api.http.HttpReply;
import dev.junction.server.security.AdminSettings;
import dev.junction.server.security.AdminToken;
import dev.junction.server.security.Role;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;

/**
 * Decides who a request to the admin API comes from and whether its role is enough, before any route runs. The role a request
 * needs follows from its method and path alone, so a new route cannot forget to ask: reading (GET, HEAD) needs
 * {@link Role#VIEWER}, replacing the configuration ({@code PUT /configuration}) and revealing a masked message
 * ({@code POST /messages/<id>/reveal}) {@link Role#ADMIN}, every other change {@link Role#OPERATOR}.
 */
final class AdminAuth {
    /** The authenticated caller, set on the request for the routes: the audit's {@code by}. */
    static final AttributeKey<Caller> CALLER = AttributeKey.create("junction-admin-caller", Caller.class);
    static final String LOOPBACK = "loopback";

    private final AdminSettings settings;

    AdminAuth(AdminSettings settings) {
        this.settings = settings;
    }

    /** Who made an admin request: a token's name and role, or {@value #LOOPBACK} (admin) when no tokens are configured. */
    record Caller(String name, Role role) {}

    /** The caller, or the refusal to send instead of running the route. */
    record Decision(Caller caller, HttpResponse refusal) {}

    static Role needed(String method, String path) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return Role.VIEWER;
        }
        if (method.equals("PUT") && (path.equals(AdminApi.PREFIX + "configuration") || path.equals(AdminApi.PREFIX + "configuration/"))) {
            return Role.ADMIN;
        }
        if (path.startsWith(AdminApi.PREFIX + "messages/") && (path.endsWith("/reveal") || path.endsWith("/reveal/"))) {
            return Role.ADMIN;
        }
        return Role.OPERATOR;
    }

    Decision decide(HttpRequest request) {
        if (settings.loopbackOnly()) {
            Optional<InetAddress> from = request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
            if (from.isPresent() && from.get().isLoopbackAddress()) {
                return new Decision(new Caller(LOOPBACK, Role.ADMIN), null);
            }
            return new Decision(null, ProblemResponses.problem(403, "loopback-only", "Forbidden",
                    "no admin tokens are configured (junction.admin.tokens), so the admin API answers loopback clients only"));
        }
        Optional<String> authorization = request.getHeader("Authorization").map(h -> h.value().trim());
        if (authorization.isEmpty()) {
            return unauthorized("no Authorization header: send Authorization: Bearer <token>", null);
        }
        String value = authorization.get();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized("the Authorization header is not a Bearer token", "invalid_request");
        }
        AdminToken token = match(value.substring(7).trim());
        if (token == null) {
            return unauthorized("the bearer token is not one of this server's admin tokens", "invalid_token");
        }
        Caller caller = new Caller(token.name(), token.role());
        Role needed = needed(request.method().name(), request.getUri().path());
        if (!caller.role().covers(needed)) {
            HttpReply reply = HttpReply.problem(403, "insufficient-role", "Forbidden", request.method().name() + " "
                    + request.getUri().path() + " needs the role " + needed.wire() + "; the token " + caller.name() + " has "
                    + caller.role().wire(), Map.of("WWW-Authenticate", "Bearer error=\"insufficient_scope\""));
            return new Decision(null, ProblemResponses.toResponse(reply));
        }
        return new Decision(caller, null);
    }

    /** Compares the hash of the presented token with every configured one, without stopping at a match. */
    private AdminToken match(String presented) {
        byte[] hash = AdminToken.sha256(presented);
        AdminToken found = null;
        for (AdminToken token : settings.tokens()) {
            if (MessageDigest.isEqual(hash, token.sha256()) && found == null) {
                found = token;
            }
        }
        return found;
    }

    private static Decision unauthorized(String detail, String error) {
        String challenge = error == null ? "Bearer realm=\"junction\"" : "Bearer realm=\"junction\", error=\"" + error + "\"";
        return new Decision(null, ProblemResponses.toResponse(HttpReply.problem(401, "unauthorized", "Unauthorized", detail,
                Map.of("WWW-Authenticate", challenge))));
    }
}
