package dev.junction.server.security;

import dev.junction.connectors.api.Redaction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration file as the admin API shows it: the value of every setting whose name is a secret's
 * ({@link Redaction#isSecretKey}: token, secret, secrets, password, client-secret, bearer, api-key) written as
 * {@value Redaction#REDACTED} (and every {@code value}, which holds the API key of {@code auth.header}), and substitutions such as {@code ${?SHOP_SECRET}} kept, since they name a variable and not its value.
 */
public final class ConfigText {
    // key, separator, value: a quoted string, a one-line list, or an unquoted word up to a comma, brace, bracket or comment
    private static final Pattern SETTING = Pattern.compile(
            "(?<![\\w-])(\"?)(token|secret|secrets|password|client-secret|bearer|api-key|value)\\1(\\s*[=:]\\s*)"
                    + "(\"(?:[^\"\\\\\\n]|\\\\.)*\"|\\[[^\\]]*\\]|\\$\\{[^}]*\\}|[^\\s,}\\]#]+)");
    private static final Pattern LIST_ITEM = Pattern.compile("\\$\\{[^}]*\\}|\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s,\\[\\]]+");

    private ConfigText() {}

    public static String redact(String hocon) {
        Matcher m = SETTING.matcher(hocon);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(4);
            String shown;
            if (value.startsWith("${")) {
                shown = value;
            } else if (value.startsWith("[")) {
                Matcher item = LIST_ITEM.matcher(value);
                StringBuilder list = new StringBuilder();
                while (item.find()) {
                    item.appendReplacement(list, Matcher.quoteReplacement(item.group().startsWith("${") ? item.group()
                            : "\"" + Redaction.REDACTED + "\""));
                }
                item.appendTail(list);
                shown = list.toString();
            } else {
                shown = "\"" + Redaction.REDACTED + "\"";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + m.group(1) + m.group(3) + shown));
        }
        m.appendTail(out);
        return out.toString();
    }
}
