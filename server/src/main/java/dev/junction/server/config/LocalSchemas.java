package dev.junction.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.resource.ClasspathSchemaLoader;
import com.networknt.schema.resource.InputStreamSource;
import com.networknt.schema.resource.SchemaLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiles JSON Schemas from local files only: nothing reaches out when a configuration loads. A {@code $ref} resolves to a
 * {@code file:} beside the schema, or, when it names a URL, to the JSON file in the schema's folder (and below) whose
 * {@code $id} is that URL; the meta-schemas of the drafts come from the validator's own jar. Anything else is a
 * {@link Unresolvable}, reported as one configuration problem.
 */
final class LocalSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reference that no local file answers: its message is the whole problem. */
    static final class Unresolvable extends RuntimeException {
        Unresolvable(String message) {
            super(message, null, false, false);
        }
    }

    private LocalSchemas() {}

    static JsonSchema compile(Path file, JsonNode node) {
        SpecVersion.VersionFlag version = SpecVersionDetector.detectOptionalVersion(node, false).orElse(SpecVersion.VersionFlag.V202012);
        Map<String, Path> byId = idsUnder(file.getParent());
        SchemaLoader local = iri -> {
            String text = iri.toString();
            String scheme = iri.getScheme();
            if ("file".equals(scheme)) {
                Path p = Path.of(java.net.URI.create(text));
                return Files.isRegularFile(p) ? () -> Files.newInputStream(p) : refuse(text);
            }
            if ("classpath".equals(scheme) || "resource".equals(scheme)) {
                return null; // the drafts' meta-schemas, from the validator's jar
            }
            Path found = byId.get(stripFragment(text));
            return found != null ? () -> Files.newInputStream(found) : refuse(text);
        };
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version, builder -> builder.schemaLoaders(loaders -> loaders.values(list -> {
            list.clear();
            list.add(new ClasspathSchemaLoader());
            list.add(local);
        })));
        JsonSchema schema = factory.getSchema(SchemaLocation.of(file.toUri().toString()), node);
        schema.initializeValidators();
        return schema;
    }

    private static InputStreamSource refuse(String iri) {
        throw new Unresolvable("refers to " + iri + ", which no local file resolves (a $ref or $schema URL resolves only to a "
                + "JSON file in the schema's folder whose $id is that URL; nothing is fetched over the network)");
    }

    private static String stripFragment(String iri) {
        int hash = iri.indexOf('#');
        return hash < 0 ? iri : iri.substring(0, hash);
    }

    /** The {@code $id} of every JSON file in {@code dir} and below (three levels), to resolve references to URLs locally. */
    private static Map<String, Path> idsUnder(Path dir) {
        Map<String, Path> ids = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir, 3)) {
            files.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p)).forEach(p -> {
                try {
                    JsonNode id = JSON.readTree(p.toFile()).path("$id");
                    if (id.isTextual()) {
                        ids.putIfAbsent(stripFragment(id.asText()), p);
                    }
                } catch (IOException e) {
                    // not JSON (a test case, a sample): not a schema another one can refer to
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }
}
