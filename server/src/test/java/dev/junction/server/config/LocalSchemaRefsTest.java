package dev.junction.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.TestConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * JSON Schema references resolve from local files only: a {@code $ref} to a URL resolves to the local file with that
 * {@code $id}; a reference or {@code $schema} no local file answers is one configuration problem, with no request made (a
 * server in the test counts them) and no log line from the schema library.
 */
class LocalSchemaRefsTest {
    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load(LocalSchemaRefsTest.class.getClassLoader());
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private HttpServer remote;
    private final AtomicInteger requests = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> logged = new ConcurrentLinkedQueue<>();
    private AppenderBase<ILoggingEvent> capture;
    private Level before;

    @BeforeEach
    void start() throws Exception {
        remote = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        remote.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"type\":\"object\"}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        remote.start();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                    logged.add(event.getLoggerName() + ": " + event.getFormattedMessage());
                }
            }
        };
        capture.setContext(context);
        capture.start();
        Logger networknt = context.getLogger("com.networknt");
        before = networknt.getLevel();
        networknt.setLevel(Level.ALL);
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    }

    @AfterEach
    void stop() {
        remote.stop(0);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
        context.getLogger("com.networknt").setLevel(before);
    }

    private Path config(String schema) throws Exception {
        Path file = TestConfig.write(dir, TestConfig.webhookToHttp("http://127.0.0.1:9", ""));
        Files.writeString(dir.resolve("schemas/webshop-order.schema.json"), schema);
        return file;
    }

    private String url(String path) {
        return "http://127.0.0.1:" + remote.getAddress().getPort() + path;
    }

    @Test
    void aRefToAUrlResolvesToTheLocalFileWithThatId() throws Exception {
        Files.createDirectories(dir.resolve("schemas"));
        Files.writeString(dir.resolve("schemas/customer.schema.json"), """
                {"$id": "%s", "type": "object", "required": ["email"]}""".formatted(url("/customer.json")));
        Path file = config("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "properties": {"customer": {"$ref": "%s"}}, "required": ["customer"]}""".formatted(url("/customer.json")));
        JunctionSettings settings = ConfigLoader.load(file, CONNECTORS, Map.of());
        StepSettings.Validate validate = (StepSettings.Validate) settings.integrations().get("orders-to-erp").steps().get(0);
        assertTrue(validate.schema().validate(JSON.readTree("{\"customer\":{\"email\":\"a@b\"}}")).isEmpty());
        assertFalse(validate.schema().validate(JSON.readTree("{\"customer\":{}}")).isEmpty(), "the local file's rule applies");
        assertEquals(0, requests.get(), "nothing fetched");
        assertTrue(logged.isEmpty(), logged::toString);
    }

    @Test
    void aRefNoLocalFileAnswersIsOneProblemWithoutARequest() throws Exception {
        Path file = config("""
                {"type": "object", "properties": {"customer": {"$ref": "%s"}}}""".formatted(url("/elsewhere.json")));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));
        assertEquals(1, e.problems().size(), e.getMessage());
        String problem = e.problems().get(0).toString();
        assertTrue(problem.contains(url("/elsewhere.json")) && problem.contains("no local file"), problem);
        assertFalse(problem.contains("\n") || problem.contains("\tat "), "one line, no stack trace: " + problem);
        assertEquals(0, requests.get(), "no request left the machine");
        assertTrue(logged.isEmpty(), "the schema library logged: " + logged);
    }

    @Test
    void aRemoteMetaSchemaIsOneProblemWithoutARequest() throws Exception {
        Path file = config("""
                {"$schema": "%s", "type": "object"}""".formatted(url("/my-meta-schema")));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertFalse(e.problems().get(0).toString().contains("\n"), e.getMessage());
        assertEquals(0, requests.get(), "no request left the machine");
        assertTrue(logged.isEmpty(), "the schema library logged: " + logged);
    }
}
