package dev.junction.server.plugins;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders every loaded connector's specs as Markdown: the connector reference is generated from the code, so it cannot drift.
 * {@code java -cp server/target/junction-server.jar dev.junction.server.plugins.ConnectorDocs docs/connectors.md}
 */
public final class ConnectorDocs {
    private ConnectorDocs() {}

    public static void main(String[] args) throws IOException {
        String markdown = render(ConnectorRegistry.load(ConnectorDocs.class.getClassLoader()));
        if (args.length == 0) {
            System.out.print(markdown);
        } else {
            Files.writeString(Path.of(args[0]), markdown);
        }
    }

    public static String render(ConnectorRegistry registry) {
        StringBuilder md = new StringBuilder("""
            # Connectors

            Generated from each connector's declared specs by `ConnectorDocs`; do not edit by hand. Regenerate with
            `java -cp server/target/junction-server.jar dev.junction.server.plugins.ConnectorDocs docs/connectors.md`.

            A system names its connector (`connector = <name>`) and takes the connector's *system* settings beside it. A source
            block is named after its kind; a target's settings sit in a block named after the connector.
            """);
        for (String name : registry.names()) {
            Connector connector = registry.find(name).orElseThrow();
            md.append("\n## `").append(name).append("`\n");
            section(md, "System settings", connector.systemSpec());
            Map<String, ConfigSpec> sources = new TreeMap<>();
            connector.sources().forEach((kind, factory) -> sources.put(kind, factory.spec()));
            sources.forEach((kind, spec) -> section(md, "Source `" + kind + "`", spec));
            connector.sink().ifPresent(sink -> section(md, "Target `" + name + " { ... }`", sink.spec()));
        }
        return md.toString();
    }

    private static void section(StringBuilder md, String title, ConfigSpec spec) {
        md.append("\n### ").append(title).append("\n\n").append(spec.description()).append("\n\n");
        if (spec.fields().isEmpty()) {
            md.append("No settings.\n");
            return;
        }
        md.append("| setting | type | default | description |\n|---|---|---|---|\n");
        rows(md, "", spec);
    }

    /** One row per field; the fields of an object field follow it as {@code <object>.<field>}. */
    private static void rows(StringBuilder md, String prefix, ConfigSpec spec) {
        for (ConfigField field : spec.fields()) {
            String type = field.type() == ConfigField.Type.ENUM
                    ? String.join(" \\| ", field.allowedValues()) : field.type().name().toLowerCase(java.util.Locale.ROOT);
            String dflt = field.isRequired() ? "**required**" : field.defaultValue().map(v -> "`" + v + "`").orElse("");
            String examples = field.examples().isEmpty() ? "" : " Example: `" + String.join("`, `", field.examples()) + "`.";
            md.append("| `").append(prefix).append(field.name()).append("` | ").append(type).append(" | ").append(dflt).append(" | ")
                    .append(field.description().replace("|", "\\|").replace("\n", " ")).append(examples).append(" |\n");
            field.nested().ifPresent(nested -> rows(md, prefix + field.name() + ".", nested));
        }
    }
}
