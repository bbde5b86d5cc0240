package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a poll finds the page after the one it read. Written as one of: {@code next-page = "json:<pointer>"} (a link in the body),
 * {@code next-page = "link-header"} (the {@code Link} header's {@code rel="next"}, RFC 8288), {@code page-number { param,
 * first, size-param, size }} or {@code offset { param, limit-param, limit }}. Without one a poll reads one page per run. A
 * page-number or offset poll stops at a page shorter than its size. Immutable and stateless.
 */
sealed interface Paging {

    /**
     * The URL of the page after {@code page}, which was fetched from {@code url} as the {@code index}-th page (0 = the first)
     * with {@code before} items read before it; empty when it was the last.
     */
    Optional<String> next(String url, Page page, int index, long before);

    /** The first page's URL: {@code url} with this paging's own parameters for the first page. */
    default String first(String url) {
        return url;
    }

    /** One page, then done. */
    record Single() implements Paging {
        @Override
        public Optional<String> next(String url, Page page, int index, long before) {
            return Optional.empty();
        }
    }

    /** A link in the body at {@code pointer} (absolute, or relative to the page's URL); missing, null or empty ends. */
    record BodyLink(JsonPointer pointer) implements Paging {
        @Override
        public Optional<String> next(String url, Page page, int index, long before) {
            JsonNode link = page.body().at(pointer);
            if (!link.isTextual() || link.asText().isBlank()) {
                return Optional.empty();
            }
            return Optional.of(Urls.resolve(url, link.asText()));
        }
    }

    /** The {@code rel="next"} link of the {@code Link} header; none ends. */
    record LinkHeader() implements Paging {
        private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]*)*)");
        private static final Pattern REL_NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";,]*(?:\\s[^\";,]*)*)\"?", Pattern.CASE_INSENSITIVE);

        @Override
        public Optional<String> next(String url, Page page, int index, long before) {
            return page.linkHeader().flatMap(LinkHeader::nextOf).map(link -> Urls.resolve(url, link));
        }

        /** The target of the link whose {@code rel} includes {@code next}, from a {@code Link} header value. */
        static Optional<String> nextOf(String header) {
            Matcher link = LINK.matcher(header);
            while (link.find()) {
                Matcher rel = REL_NEXT.matcher(link.group(2));
                while (rel.find()) {
                    for (String value : rel.group(1).trim().split("\\s+")) {
                        if (value.equalsIgnoreCase("next")) {
                            return Optional.of(link.group(1).trim());
                        }
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** {@code param} counts pages from {@code first}; {@code sizeParam} (when set) asks for {@code size} items a page. */
    record PageNumber(String param, int first, String sizeParam, int size) implements Paging {
        @Override
        public String first(String url) {
            return at(url, first);
        }

        @Override
        public Optional<String> next(String url, Page page, int index, long before) {
            return page.items().size() < size ? Optional.empty() : Optional.of(at(url, first + index + 1));
        }

        private String at(String url, int number) {
            String withPage = Urls.withParam(url, param, Integer.toString(number));
            return sizeParam == null ? withPage : Urls.withParam(withPage, sizeParam, Integer.toString(size));
        }
    }

    /** {@code param} is the number of items to skip; {@code limitParam} (when set) asks for {@code limit} items a page. */
    record Offset(String param, String limitParam, int limit) implements Paging {
        @Override
        public String first(String url) {
            return at(url, 0);
        }

        @Override
        public Optional<String> next(String url, Page page, int index, long before) {
            return page.items().size() < limit ? Optional.empty() : Optional.of(at(url, before + page.items().size()));
        }

        private String at(String url, long offset) {
            String withOffset = Urls.withParam(url, param, Long.toString(offset));
            return limitParam == null ? withOffset : Urls.withParam(withOffset, limitParam, Integer.toString(limit));
        }
    }
}
