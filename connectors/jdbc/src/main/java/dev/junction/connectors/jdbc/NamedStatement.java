package dev.junction.connectors.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * A statement written with named parameters ({@code INSERT INTO audit (id, total) VALUES (:order_id, :total)}) turned into
 * JDBC's positional form. A parameter is a colon followed by a name; {@code ::} (a PostgreSQL cast) and text inside
 * single-quoted literals are left alone. Immutable.
 *
 * @param sql        the statement with each parameter replaced by {@code ?}
 * @param parameters the parameter names in the order of the {@code ?}s (a name used twice appears twice)
 */
record NamedStatement(String sql, List<String> parameters) {

    static NamedStatement parse(String text) {
        StringBuilder sql = new StringBuilder();
        List<String> parameters = new ArrayList<>();
        boolean quoted = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == ':' && i + 1 < text.length() && text.charAt(i + 1) == ':') {
                sql.append("::");
                i += 2;
                continue;
            } else if (!quoted && c == ':' && i + 1 < text.length() && isStart(text.charAt(i + 1))) {
                int end = i + 1;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                    end++;
                }
                parameters.add(text.substring(i + 1, end));
                sql.append('?');
                i = end;
                continue;
            }
            sql.append(c);
            i++;
        }
        return new NamedStatement(sql.toString(), List.copyOf(parameters));
    }

    private static boolean isStart(char c) {
        return Character.isLetter(c) || c == '_';
    }
}
