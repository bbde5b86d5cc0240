package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code poll} source kind: reads an HTTP API's pages every {@code every}, from the last committed watermark, on one node
 * of the cluster (two pollers would read everything twice). Stateless and shared; {@link #create} only builds the
 * {@link PollSource}. The fetch settings are shared with the {@code batch} kind ({@link #FETCH}).
 */
final class PollSourceFactory implements SourceFactory {
    static final String LINK_HEADER = "link-header";
    private static final String POINTER_REASON = "must be a JSON pointer: empty (the root) or starting with '/', such as /data";

    static final ConfigField PATH = ConfigField.string("path").required()
            .description("What is read: a path appended to the system's base-url, or an absolute http(s) URL, with any fixed "
                    + "query parameters.")
            .example("/api/contacts").example("/api/contacts?status=active")
            .check((String p) -> !p.isBlank(), "must not be blank");

    static final ConfigField ITEMS = ConfigField.string("items").defaultValue("")
            .description("JSON pointer to the array of items in each page; empty: the page itself is the array.")
            .example("/data")
            .check(PollSourceFactory::isPointer, POINTER_REASON);

    static final ConfigField KEY = KeyRule.field("idempotency-key").required();

    static final ConfigField WATERMARK = ConfigField.object("watermark", ConfigSpec.of(
                    "Reads only what changed since the last run: the newest value of an item field seen by a run is committed "
                            + "once every item of the run is in the inbox, and sent as a query parameter by the next run.",
                    ConfigField.string("param").required().description("The query parameter the watermark is sent in.")
                            .example("updated_since"),
                    ConfigField.string("from").required().description("JSON pointer to the item field whose newest value "
                                    + "becomes the watermark: a number, or text that sorts in time order (ISO-8601).")
                            .example("/updatedAt").check(PollSourceFactory::isPointer, POINTER_REASON),
                    ConfigField.string("initial").description("The watermark of the very first run; without it the first run "
                            + "sends no parameter and reads everything.").example("2026-01-01T00:00:00Z")))
            .description("The cursor kept between runs; without it every run reads everything (deduplication absorbs what "
                    + "was read before).")
            .example("{ param = updated_since, from = /updatedAt }");

    static final ConfigField NEXT_PAGE = ConfigField.string("next-page")
            .description("How the next page is found: json:<pointer> (a link in the body, absolute or relative; missing, null "
                    + "or empty ends the run) or link-header (the Link header's rel=\"next\").")
            .example("json:/paging/next").example(LINK_HEADER)
            .check((String n) -> n.equals(LINK_HEADER) || (n.startsWith("json:") && n.length() > 5 && isPointer(n.substring(5))),
                    "must be json:<JSON pointer> or link-header");

    static final ConfigField PAGE_NUMBER = ConfigField.object("page-number", ConfigSpec.of(
                    "Pages by number; a page shorter than size ends the run.",
                    ConfigField.string("param").defaultValue("page").description("The page-number parameter."),
                    ConfigField.integer("first").defaultValue(1).description("The number of the first page.")
                            .check((Integer n) -> n >= 0, "must not be negative"),
                    ConfigField.string("size-param").description("The page-size parameter, if the API takes one.").example("per_page"),
                    ConfigField.integer("size").defaultValue(100).description("Items per page.")
                            .check((Integer n) -> n >= 1, "must be at least 1")))
            .description("Page-number paging: ?page=1, ?page=2, ...").example("{ param = page, size-param = per_page, size = 100 }");

    static final ConfigField OFFSET = ConfigField.object("offset", ConfigSpec.of(
                    "Pages by offset; a page shorter than limit ends the run.",
                    ConfigField.string("param").defaultValue("offset").description("The offset parameter."),
                    ConfigField.string("limit-param").description("The page-size parameter, if the API takes one.").example("limit"),
                    ConfigField.integer("limit").defaultValue(100).description("Items per page.")
                            .check((Integer n) -> n >= 1, "must be at least 1")))
            .description("Offset paging: ?offset=0, ?offset=100, ...").example("{ param = offset, limit-param = limit, limit = 100 }");

    static final ConfigField TIMEOUT = ConfigField.duration("timeout").defaultValue("30s")
            .description("Longest one page request may take; a stalled API fails the run as retriable 'timeout'.")
            .check((Duration d) -> d.toMillis() > 0, "must be greater than zero");

    static final ConfigField MAX_PAGES = ConfigField.integer("max-pages").defaultValue(10_000)
            .description("Most pages one run reads (a guard against a next link that never ends); a run that reaches it "
                    + "fails without moving the watermark.")
            .check((Integer n) -> n >= 1, "must be at least 1");

    /** The fetch settings of a poll and of a batch. */
    static final List<ConfigField> FETCH = List.of(PATH, ITEMS, KEY, WATERMARK, NEXT_PAGE, PAGE_NUMBER, OFFSET, TIMEOUT, MAX_PAGES);

    static final ConfigField EVERY = ConfigField.duration("every").defaultValue("1m")
            .description("How long after a run ends the next one starts.")
            .example("1m").example("30s")
            .check((Duration d) -> d.toMillis() >= 100, "must be at least 100ms");

    private static final ConfigSpec SPEC = ConfigSpec.of(
            "Polls an HTTP API: every 'every', reads its pages from the last committed watermark, hands each item to the inbox "
                    + "and commits the newest watermark once every item of the run is durable. Page requests go through the "
                    + "system's rate limit, circuit breaker and Retry-After pause. Runs on one node of the cluster.",
            withFetch(EVERY));

    static ConfigField[] withFetch(ConfigField... own) {
        List<ConfigField> all = new ArrayList<>(FETCH);
        all.addAll(List.of(own));
        return all.toArray(ConfigField[]::new);
    }

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public Placement placement(Config systemConfig, Config settings) {
        return Placement.ONE_NODE;
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        return check(systemConfig, settings, settingsPath);
    }

    /** The checks of a fetch block beyond its spec: a URL that resolves, one paging style, the system's auth. */
    static List<ConfigProblem> check(Config systemConfig, Config settings, String settingsPath) {
        List<ConfigProblem> problems = new ArrayList<>(OutboundAuth.validate(systemConfig, "auth of the source's system"));
        try {
            TargetUrl.resolve(TargetUrl.baseUrl(systemConfig), settings.getString("path"));
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.of(settings.getValue("path"), settingsPath + ".path", e.getMessage()));
        }
        List<String> styles = List.of("next-page", "page-number", "offset").stream().filter(settings::hasPath).toList();
        if (styles.size() > 1) {
            problems.add(ConfigProblem.of(settings.getValue(styles.get(1)), settingsPath + "." + styles.get(1),
                    "only one of next-page, page-number and offset may be set (also set: " + styles.get(0) + ")"));
        }
        return problems;
    }

    @Override
    public SourceInstance create(SourceContext context) {
        PollSettings settings = PollSettings.from(context.systemConfig(), context.settings());
        return new PollSource(settings, new PageFetcher(settings, context), context, Schedule.every(settings.every()));
    }

    static boolean isPointer(String text) {
        if (!text.isEmpty() && !text.startsWith("/")) {
            return false;
        }
        try {
            JsonPointer.compile(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
