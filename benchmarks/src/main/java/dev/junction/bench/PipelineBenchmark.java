package dev.junction.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.transform.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CPU cost per message of the quickstart's steps, one thread: JSON parse of the order, JSON Schema validation alone, the
 * JSLT mapping alone, both steps (what {@link Pipeline#apply} does at delivery), and parse + both steps (what delivery does
 * with a raw original). The steps are compiled from {@code examples/quickstart/junction.conf} by the server's own loader.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PipelineBenchmark {
    private final ObjectMapper json = new ObjectMapper();
    private byte[] raw;
    private JsonNode order;
    private Pipeline both;
    private Pipeline validateOnly;
    private Pipeline mapOnly;

    @Setup
    public void setUp() throws Exception {
        Path config = quickstart();
        JunctionSettings settings = ConfigLoader.load(config, ConnectorRegistry.load(getClass().getClassLoader()), Map.of());
        IntegrationSettings integration = settings.integrations().get("orders-to-erp");
        both = new Pipeline(integration.steps());
        validateOnly = new Pipeline(integration.steps().subList(0, 1));
        mapOnly = new Pipeline(integration.steps().subList(1, 2));
        raw = Files.readAllBytes(config.resolveSibling("order.json"));
        order = json.readTree(raw);
        if (!(both.apply(order) instanceof Pipeline.Passed)) {
            throw new IllegalStateException("the quickstart order does not pass the quickstart's steps: " + both.apply(order));
        }
    }

    /** From the working directory or a parent of it, so the benchmark runs from the repository or from benchmarks/. */
    private static Path quickstart() {
        String given = System.getProperty("junction.quickstart");
        if (given != null) {
            return Path.of(given);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/quickstart/junction.conf");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/quickstart/junction.conf not found above " + Path.of("").toAbsolutePath()
                + "; pass -Djunction.quickstart=<path>");
    }

    @Benchmark
    public JsonNode parse() throws Exception {
        return json.readTree(raw);
    }

    @Benchmark
    public Pipeline.Result validate() {
        return validateOnly.apply(order);
    }

    @Benchmark
    public Pipeline.Result map() {
        return mapOnly.apply(order);
    }

    @Benchmark
    public Pipeline.Result validateAndMap() {
        return both.apply(order);
    }

    @Benchmark
    public Pipeline.Result parseValidateAndMap() throws Exception {
        return both.apply(json.readTree(raw));
    }
}
