package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import java.time.Duration;
import java.util.Set;

/**
 * One {@code poll} (or {@code batch}) source's fetch settings, read once from its validated block (defaults applied) and its
 * system's {@code base-url}. Immutable.
 *
 * @param url       the absolute URL of the first page, before the watermark and paging parameters
 * @param items     where the items are in each page; the empty pointer: the page is the array
 * @param watermark the watermark parameter and field; null when the poll reads everything every time
 * @param every      how long after a run ends the next starts (poll); unused by a batch
 * @param untilParam the query parameter a batch run's start is sent in; null for none
 */
record PollSettings(String url, Duration every, JsonPointer items, KeyRule keys, WatermarkSettings watermark, Paging paging,
                    Duration timeout, int maxPages, String untilParam) {

    /**
     * @param param   the query parameter the committed watermark is sent in
     * @param from    the item field whose newest value becomes the next watermark
     * @param initial the watermark of the very first run; null: the first run sends no parameter and reads everything
     */
    record WatermarkSettings(String param, JsonPointer from, String initial) {}

    static PollSettings from(Config systemConfig, Config block) {
        WatermarkSettings watermark = null;
        if (block.hasPath("watermark")) {
            Config w = block.getConfig("watermark");
            watermark = new WatermarkSettings(w.getString("param"), JsonPointer.compile(w.getString("from")),
                    w.hasPath("initial") ? w.getString("initial") : null);
        }
        return new PollSettings(TargetUrl.resolve(TargetUrl.baseUrl(systemConfig), block.getString("path")),
                block.hasPath("every") ? block.getDuration("every") : Duration.ZERO,
                JsonPointer.compile(block.getString("items")), KeyRule.parse(block.getString("idempotency-key"), Set.of()),
                watermark, paging(block), block.getDuration("timeout"), block.getInt("max-pages"),
                block.hasPath("until-param") ? block.getString("until-param") : null);
    }

    private static Paging paging(Config block) {
        if (block.hasPath("next-page")) {
            String next = block.getString("next-page");
            return next.equals(PollSourceFactory.LINK_HEADER) ? new Paging.LinkHeader()
                    : new Paging.BodyLink(JsonPointer.compile(next.substring("json:".length())));
        }
        if (block.hasPath("page-number")) {
            Config p = block.getConfig("page-number");
            return new Paging.PageNumber(p.getString("param"), p.getInt("first"),
                    p.hasPath("size-param") ? p.getString("size-param") : null, p.getInt("size"));
        }
        if (block.hasPath("offset")) {
            Config o = block.getConfig("offset");
            return new Paging.Offset(o.getString("param"), o.hasPath("limit-param") ? o.getString("limit-param") : null, o.getInt("limit"));
        }
        return new Paging.Single();
    }
}
