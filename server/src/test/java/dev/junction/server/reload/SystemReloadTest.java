package dev.junction.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that adds a system, and an integration delivering to it and to a system already running, delivers to both at
 * once, without a restart: the new system gets its actor and the running one a sink for the new target.
 */
class SystemReloadTest {
    @TempDir
    Path dir;
    private RecordingTarget erp;
    private RecordingTarget crm;
    private RunningServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        erp.close();
        crm.close();
    }

    @Test
    void aSystemAndATargetAddedByAReloadAreDeliveredToAtOnce() throws Exception {
        erp = new RecordingTarget();
        crm = new RecordingTarget();
        String before = TestConfig.webhookToHttp(erp.baseUrl(), "");
        Path config = TestConfig.write(dir, before);
        server = RunningServer.start(config, dir.resolve("data"), Map.of());

        String after = before.replace("webshop { connector = http }", """
                webshop { connector = http }
                crm { connector = http, base-url = "%s" }""".formatted(crm.baseUrl())).replace("integrations {", """
                integrations {
                  orders-to-crm {
                    source { system = webshop, webhook { path = "webshop/crm-orders" } }
                    targets = [ { system = crm, http { method = POST, path = "/crm/orders" } }
                                { name = erp-copy, system = erp, http { method = POST, path = "/erp/copies" } } ]
                  }""");
        assertTrue(after.contains("orders-to-crm"), after);
        Files.writeString(config, after);
        HttpResponse<String> reload = server.postJson("/api/v1/integrations/reload", "");
        assertEquals(200, reload.statusCode(), reload::body);
        assertTrue(reload.body().contains("system crm: started") && reload.body().contains("sink for orders-to-crm/erp-copy added"),
                reload::body);

        server.postAccepted("/webhooks/webshop/crm-orders", "R-1", TestConfig.order("R-1"));
        Await.until(Duration.ofSeconds(20), () -> crm.successes("R-1") == 1 && erp.successes("R-1") == 1,
                () -> "delivered to the new system " + crm.successes("R-1") + " time(s), to the new target on the running one "
                        + erp.successes("R-1") + "; dead letters: " + deadLetters());
        System.out.println("SystemReloadTest: delivered after the reload to crm " + crm.successes("R-1") + ", to erp "
                + erp.successes("R-1"));
    }

    private String deadLetters() {
        try {
            return server.get("/api/v1/dead-letters").body();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
