package dev.junction.connectors.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;

/**
 * A REST target's settings, read once from its validated block (defaults applied) and its system's {@code base-url}. Immutable.
 *
 * @param method         POST, PUT or PATCH, upper-case
 * @param url            the absolute URL every attempt goes to
 * @param timeout        the longest one attempt may take, from queueing in the pool to the last byte of the response
 * @param maxConnections the most connections the sink opens to the target's host
 * @param signSecret     the Standard Webhooks secret each request is signed with, or null
 */
record HttpSinkSettings(String method, String url, Duration timeout, int maxConnections, String signSecret) {

    static HttpSinkSettings from(Config systemConfig, Config block) {
        return new HttpSinkSettings(
                block.getString("method").toUpperCase(Locale.ROOT),
                TargetUrl.resolve(TargetUrl.baseUrl(systemConfig), block.getString("path")),
                block.getDuration("timeout"),
                block.getInt("max-connections"),
                block.hasPath("sign") ? block.getString("sign.secret") : null);
    }
}
