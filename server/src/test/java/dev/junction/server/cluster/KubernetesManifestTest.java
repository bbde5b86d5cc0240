package dev.junction.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes manifests cannot run on the build machine, so this checks them against what the server expects: the
 * configuration they mount loads with the environment they set, the probes hit Pekko Management's port and paths, and the
 * pods may list each other for cluster bootstrap.
 */
class KubernetesManifestTest {
    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load(KubernetesManifestTest.class.getClassLoader());

    @TempDir
    Path dir;

    @Test
    void theDeploymentConfiguresANodeTheServerAccepts() throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        Path manifest = TestConfig.quickstart().resolve("../../cluster-config/kubernetes/junction.yaml").normalize();
        var parser = new YAMLFactory().createParser(manifest.toFile());
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
            byKind.put(doc.get("kind").asText(), doc);
        }
        JsonNode pod = byKind.get("Deployment").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        Map<String, JsonNode> env = new HashMap<>();
        container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
        Map<String, Integer> ports = new HashMap<>();
        container.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));

        assertEquals("status.podIP", env.get("JUNCTION_NODE_HOST").at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals(ports.get("management"), Integer.valueOf(env.get("JUNCTION_MGMT_PORT").get("value").asText()));
        assertEquals(ports.get("http"), Integer.valueOf(env.get("JUNCTION_HTTP_PORT").get("value").asText()));
        assertEquals(ports.get("remoting"), Integer.valueOf(env.get("JUNCTION_NODE_PORT").get("value").asText()));
        assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("management", container.at("/readinessProbe/httpGet/port").asText());
        assertEquals("/alive", container.at("/livenessProbe/httpGet/path").asText());
        assertTrue(pod.get("terminationGracePeriodSeconds").asInt() >= 30, "room for the hand-over of partitions");
        assertEquals("app=junction", "app=" + byKind.get("Deployment").at("/spec/template/metadata/labels/app").asText(),
                "cluster bootstrap looks for pods labelled app=<service name>");
        assertTrue(byKind.get("Role").at("/rules/0/verbs").toString().contains("list"));

        // The mounted configuration with the environment the pod gets.
        Path conf = Files.writeString(dir.resolve("junction.conf"), byKind.get("ConfigMap").at("/data/junction.conf").asText());
        Map<String, String> podEnv = new HashMap<>();
        env.forEach((name, e) -> podEnv.put(name, e.has("value") ? e.get("value").asText() : "from-kubernetes"));
        podEnv.put("JUNCTION_NODE_HOST", "10.1.2.3");
        podEnv.put("JUNCTION_DB_URL", "jdbc:postgresql://postgres:5432/junction");
        podEnv.put("JUNCTION_DB_PASSWORD", "secret");
        podEnv.put("JUNCTION_DB_USER", "junction");
        JunctionSettings settings = ConfigLoader.load(conf, CONNECTORS, podEnv);
        assertTrue(settings.node().bootstrapsOnKubernetes());
        assertEquals("postgres", settings.persistence().journal());
        assertEquals("kubernetes-api", settings.pekko().getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        assertEquals("10.1.2.3", settings.pekko().getString("pekko.management.http.hostname"));
    }

    @Test
    void seedNodesAndClusterBootstrapDoNotGoTogether() throws Exception {
        Path conf = TestConfig.write(dir, "junction {}");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(conf, CONNECTORS,
                Map.of("JUNCTION_DISCOVERY", "kubernetes-api", "JUNCTION_SEED_NODES", "10.0.0.1:17355")));
        assertTrue(e.getMessage().contains("junction.node.seed-nodes"), e.getMessage());
        InvalidConfigException typo = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(conf, CONNECTORS,
                Map.of("JUNCTION_DISCOVERY", "kubernetes")));
        assertTrue(typo.getMessage().contains("junction.node.discovery"), typo.getMessage());
        assertEquals(List.of(), ConfigLoader.load(conf, CONNECTORS, Map.of()).node().seedNodes());
    }
}
