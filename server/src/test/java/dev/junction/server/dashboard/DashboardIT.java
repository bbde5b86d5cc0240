package dev.junction.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's headless Chromium against a running server with tokens: an admin signs in, sees the integration's
 * counts, opens the dead letter, replays it once the target is fixed and sees it delivered in its lineage; a viewer sees no
 * replay or discard button, and the server refuses the viewer's replay anyway. The channels page shows a channel's publisher,
 * its subscribers and the one whose target refuses everything lagging. Screenshots of each page go to docs/images/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {
    private static final String ADMIN = "admin-token-0123456789abcdef";
    private static final String VIEWER = "viewer-token-0123456789abcdef";
    private static final Path IMAGES = Path.of("..", "docs", "images");

    @TempDir
    static Path dir;
    private final AtomicBoolean broken = new AtomicBoolean(true);
    private final AtomicBoolean down = new AtomicBoolean(false);
    private RecordingTarget target;
    /** The archive that subscribes to the shop-orders channel: it answers 503 to everything, so its copies wait. */
    private RecordingTarget archive;
    private RunningServer server;
    /** The CRM the contacts integration polls: one page of three contacts. */
    private com.sun.net.httpserver.HttpServer crm;
    private WebDriver browser;

    @BeforeAll
    void start() throws Exception {
        // bad-* orders fail (400, no retry) until the target is "fixed"; while it is down it answers 503 to everything.
        target = new RecordingTarget().respondWith((key, n) -> down.get() ? 503 : key.startsWith("bad-") && broken.get() ? 400 : 200);
        crm = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        crm.createContext("/contacts", exchange -> {
            byte[] page = "{\"data\":[{\"id\":\"c-1\"},{\"id\":\"c-2\"},{\"id\":\"c-3\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        crm.start();
        archive = new RecordingTarget().respondWith((key, n) -> 503);
        Files.createDirectories(dir.resolve("canonical"));
        Files.writeString(dir.resolve("canonical/shop-order.v1.schema.json"), """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["id", "currency"]}""");
        String config = TestConfig.webhookToHttp(target.baseUrl(), """
                resilience { retry { max-attempts = 1 }, circuit-breaker { max-failures = 2, reset-timeout = 6s } }""")
                .replace("  systems {", "  systems {\n    crm { connector = http, base-url = \"http://127.0.0.1:" + crm.getAddress().getPort() + "\" }"
                        + "\n    shop { connector = http }\n    archive { connector = http, base-url = \"" + archive.baseUrl() + "\", resilience { "
                        + "circuit-breaker.enabled = false, retry { max-attempts = 1000, min-backoff = 1s, max-backoff = 2s } } }")
                .replace("  integrations {", """
                  channels { shop-orders { schema = "canonical/shop-order.v1.schema.json" } }
                  integrations {
                    shop-orders-out {
                      source { system = shop, webhook { path = "shop/orders" } }
                      targets = [ { channel = shop-orders } ]
                    }
                    ledger {
                      source { channel = shop-orders }
                      targets = [ { system = erp, http { method = POST, path = "/erp/ledger" } } ]
                    }
                    archive {
                      source { channel = shop-orders }
                      targets = [ { system = archive, http { method = POST, path = "/archive" } } ]
                    }
                    contacts-to-erp {
                      source { system = crm, poll { path = "/contacts", every = 1h, items = "/data", idempotency-key = "json:/id" } }
                      targets = [ { system = erp, http { method = POST, path = "/erp/contacts" } } ]
                    }""")
                .replace("junction {", """
                junction {
                  alerts.check-interval = 1s
                  # the poll's first run starts with the server, while the partitions recover: on a busy machine that took
                  # longer than the 1.5 s default, the run was partial, and its next tick is an hour away
                  inbox.accept-timeout = 10s
                  admin.tokens = [
                    { name = "ada", role = admin, token = "%s" }
                    { name = "grace", role = viewer, token = "%s" }
                  ]
                """.formatted(ADMIN, VIEWER));
        server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900");
        browser = new ChromeDriver(service, options);
        Files.createDirectories(IMAGES);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        target.close();
        archive.close();
        if (crm != null) {
            crm.stop(0);
        }
    }

    @Test
    void anAdminWatchesTheFlowAndReplaysTheDeadLetterAndAViewerCannot() throws Exception {
        for (String key : List.of("order-1", "order-2", "order-3")) {
            server.postAccepted("/webhooks/webshop/orders", key, TestConfig.order(key));
        }
        String bad1 = server.postAccepted("/webhooks/webshop/orders", "bad-1", TestConfig.order("bad-1"));
        String bad2 = server.postAccepted("/webhooks/webshop/orders", "bad-2", TestConfig.order("bad-2"));

        // Without a token the page asks for one; a wrong token is refused with the problem's title and detail.
        browser.get(server.url("/"));
        signIn("not-a-token-of-this-server");
        waitFor(() -> text(By.id("problem")).contains("Unauthorized") && text(By.id("problem")).contains("not one of this server's admin tokens"));
        signIn(ADMIN);
        waitFor(() -> text(By.id("who-name")).equals("ada (admin)"));

        // The overview updates by itself until the counts and the last delivery show.
        String row = "tr[data-integration='orders-to-erp'] ";
        waitFor(() -> text(By.cssSelector(row + ".received")).equals("5") && text(By.cssSelector(row + ".delivered")).equals("3")
                && text(By.cssSelector(row + ".dead-lettered")).equals("2") && text(By.cssSelector(row + ".open-dead-letters")).equals("2"));
        assertTrue(text(By.cssSelector(row + ".last-delivered")).endsWith("s ago"), text(By.cssSelector(row + ".last-delivered")));
        assertEquals("closed", text(By.cssSelector("tr[data-system='erp'] .breaker")));
        waitFor(() -> text(By.id("alerts")).contains("failure-spike"));
        screenshot("dashboard-overview.png");

        // The target goes down: two 503s open the breaker, the overview shows it; back up, the next order closes it.
        down.set(true);
        server.postAccepted("/webhooks/webshop/orders", "down-1", TestConfig.order("down-1"));
        server.postAccepted("/webhooks/webshop/orders", "down-2", TestConfig.order("down-2"));
        String erp = "tr[data-system='erp'] ";
        waitFor(() -> text(By.cssSelector(erp + ".breaker")).startsWith("open")); // for 6 s, the page polls every 3 s
        assertTrue(text(By.cssSelector(erp + ".last-error")).startsWith("http-503"), text(By.cssSelector(erp + ".last-error")));
        screenshot("dashboard-breaker-open.png");
        down.set(false);
        server.postAccepted("/webhooks/webshop/orders", "after-1", TestConfig.order("after-1"));
        waitFor(() -> text(By.cssSelector(erp + ".breaker")).equals("closed")
                && text(By.cssSelector(row + ".received")).equals("8") && text(By.cssSelector(row + ".delivered")).equals("4"));
        assertEquals(1, target.successes("after-1"));

        // Dead letters: the list, filtered to the 400s, then the one of bad-1 with its raw original and its attempt.
        browser.findElement(By.cssSelector(row + ".open-dead-letters a")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#dead-letters tr[data-message-id]")).size() == 4);
        browser.findElement(By.name("errorClass")).sendKeys("http-400");
        browser.findElement(By.id("apply-filter")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#dead-letters tr[data-message-id]")).size() == 2);
        screenshot("dashboard-dead-letters.png");
        browser.findElement(By.linkText("bad-1")).click();
        waitFor(() -> text(By.id("raw")).contains("\"id\":\"bad-1\""));
        screenshot("dashboard-dead-letter.png");
        assertTrue(text(By.cssSelector("table.attempts")).contains("http-400"), text(By.id("main")));

        // The target is fixed; the replay delivers it, and its lineage shows the second delivery.
        broken.set(false);
        browser.findElement(By.id("replay")).click();
        waitFor(() -> !browser.findElements(By.id("lineage-link")).isEmpty());
        browser.findElement(By.id("lineage-link")).click();
        waitFor(() -> browser.getCurrentUrl().endsWith("#/message/" + bad1));
        waitFor(() -> {
            String status = text(By.id("message-status"));
            if (!status.isEmpty() && !status.equals("delivered") && !status.equals("pending")) {
                browser.navigate().refresh(); // opened before the replay's delivery settled (pending ones the page follows itself)
            }
            return status.equals("delivered");
        });
        assertTrue(text(By.cssSelector(".timeline")).contains("replayed by ada"), text(By.cssSelector(".timeline")));
        assertEquals(1, target.successes("bad-1"));
        screenshot("dashboard-message.png");

        // A viewer sees the dead letter of bad-2 but no replay or discard button.
        browser.findElement(By.id("signout")).click();
        signIn(VIEWER);
        waitFor(() -> text(By.id("who-name")).equals("grace (viewer)"));
        browser.get(server.url("/#/dead-letters"));
        waitFor(() -> browser.findElements(By.cssSelector("#dead-letters tr[data-message-id]")).size() == 3);
        assertTrue(text(By.id("audit")).contains("replayed"), "the audit shows ada's replay");
        assertTrue(browser.findElements(By.id("replay-selected")).isEmpty() && browser.findElements(By.id("replay-matching")).isEmpty());
        browser.findElement(By.linkText("bad-2")).click();
        waitFor(() -> text(By.id("raw")).contains("\"id\":\"bad-2\""));
        assertTrue(browser.findElements(By.id("replay")).isEmpty() && browser.findElements(By.id("discard")).isEmpty());

        // And the server refuses a replay forged with the viewer's token.
        HttpResponse<String> forged = send("/api/v1/dead-letters/" + bad2 + "/replay", VIEWER, "{}");
        assertEquals(403, forged.statusCode(), forged.body());
        assertTrue(forged.body().contains("needs the role operator"), forged.body());
        assertEquals(0, target.successes("bad-2"));

        // The admin again: replays the two 503s as a selection, and discards bad-2 with a reason; the audit shows both.
        browser.findElement(By.id("signout")).click();
        signIn(ADMIN);
        waitFor(() -> text(By.id("who-name")).equals("ada (admin)"));
        browser.get(server.url("/#/dead-letters?errorClass=http-503"));
        waitFor(() -> browser.findElements(By.cssSelector("#dead-letters input.select")).size() == 2);
        browser.findElements(By.cssSelector("#dead-letters input.select")).forEach(WebElement::click);
        browser.findElement(By.id("replay-selected")).click();
        waitFor(() -> text(By.id("progress")).equals("Replayed 2 of 2"));
        waitFor(() -> target.successes("down-1") == 1 && target.successes("down-2") == 1);
        browser.get(server.url("/#/dead-letter/" + bad2));
        waitFor(() -> text(By.id("raw")).contains("\"id\":\"bad-2\""));
        browser.findElement(By.id("discard")).click();
        waitFor(() -> text(By.id("problem")).contains("a discard needs a reason"));
        assertEquals(400, send("/api/v1/dead-letters/" + bad2 + "/discard", ADMIN, "{\"reason\":\"  \"}").statusCode(), "a blank reason is none");
        browser.findElement(By.id("reason")).sendKeys("customer cancelled");
        browser.findElement(By.id("discard")).click();
        waitFor(() -> text(By.id("result")).startsWith("discarded 1"));
        browser.get(server.url("/#/dead-letters"));
        waitFor(() -> text(By.cssSelector("#main h2")).equals("Dead letters (0)") && text(By.id("audit")).contains("customer cancelled"));
        assertEquals(0, target.successes("bad-2"));

        // Runs: the poll's first run, with its counts, and the run itself.
        browser.get(server.url("/#/runs?integration=contacts-to-erp"));
        waitFor(() -> text(By.cssSelector("#runs tr.run .status")).equals("succeeded") && text(By.cssSelector("#runs tr.run .accepted")).equals("3"),
                () -> "runs page: " + text(By.id("main")) + "; the API: " + runs());
        browser.findElement(By.cssSelector("#runs tr.run a")).click();
        waitFor(() -> text(By.id("run-status")).equals("succeeded") && text(By.id("run")).contains("contacts-to-erp"));
        screenshot("dashboard-runs.png");

        // Configuration: the revisions and the file without its secrets; a broken file's reload lists its problems.
        browser.get(server.url("/#/configuration"));
        waitFor(() -> text(By.id("revisions")).contains("orders-to-erp") && text(By.id("configuration-text")).contains("<redacted>"));
        assertTrue(!browser.getPageSource().contains(ADMIN) && !browser.getPageSource().contains(VIEWER), "no token on the page");
        Path file = dir.resolve("junction.conf");
        String good = Files.readString(file);
        Files.writeString(file, good.replace("max-attempts = 1", "max-attempts = zero"));
        browser.findElement(By.id("reload")).click();
        waitFor(() -> text(By.id("problem")).contains("The configuration was not applied") && text(By.id("problem")).contains("max-attempts"));
        // The refused change stays visible to whoever opens the page later, with its problems.
        browser.navigate().refresh();
        waitFor(() -> text(By.id("last-change")).contains("Refused") && text(By.id("last-change")).contains("max-attempts"));
        screenshot("dashboard-configuration.png");
        Files.writeString(file, good);
    }

    @Test
    void theChannelsPageShowsWhoPublishesWhoSubscribesAndWhichSubscriberLags() throws Exception {
        List<String> keys = List.of("ch-1", "ch-2", "ch-3");
        for (String key : keys) {
            server.postAccepted("/webhooks/shop/orders", key, TestConfig.order(key));
        }
        browser.get(server.url("/#/channels"));
        waitFor(() -> browser.findElement(By.id("signin")).isDisplayed() || !text(By.id("who-name")).isEmpty());
        if (browser.findElement(By.id("signin")).isDisplayed()) {
            signIn(ADMIN);
        }
        waitFor(() -> text(By.id("who-name")).equals("ada (admin)"));
        assertTrue(browser.findElement(By.id("nav-channels")).getAttribute("class").contains("current"));

        // The ledger's copies reach the ERP; the archive's wait behind its 503s, and only the archive's row says so.
        String channel = "section[data-channel='shop-orders'] ";
        waitFor(() -> keys.stream().allMatch(k -> target.successes("shop-orders-out/shop-orders/" + k) == 1)
                && text(By.cssSelector(channel + "tr[data-subscriber='ledger'] .waiting")).equals("up to date")
                && text(By.cssSelector(channel + "tr[data-subscriber='archive'] .waiting")).equals("3 waiting"),
                () -> "channels page: " + text(By.id("main")));
        assertEquals("v1", text(By.cssSelector(channel + "tr[data-publisher='shop-orders-out'] .version")));
        assertTrue(text(By.cssSelector(channel + ".schemas")).contains("v1 (shop-order.v1.schema.json)"), text(By.cssSelector(channel + ".schemas")));
        assertEquals("every version", text(By.cssSelector(channel + "tr[data-subscriber='archive'] .accepts")));
        assertTrue(text(By.cssSelector(channel + "tr[data-subscriber='ledger'] .delivers-to")).contains("erp"), text(By.id("main")));
        assertTrue(text(By.cssSelector(channel + "tr[data-subscriber='archive'] .delivers-to")).contains("archive"), text(By.id("main")));
        assertEquals("0", text(By.cssSelector(channel + "tr[data-subscriber='archive'] .open-dead-letters")));
        assertTrue(archive.applied().isEmpty(), "the archive applied nothing");
        screenshot("dashboard-channels.png");
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()"); // the other test starts signed out
    }

    private HttpResponse<String> send(String path, String token, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url(path))).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void signIn(String token) {
        waitFor(() -> browser.findElement(By.id("signin")).isDisplayed());
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("signin-button")).click();
    }

    private String text(By by) {
        List<WebElement> found = browser.findElements(by);
        return found.isEmpty() ? "" : found.get(0).getText().trim();
    }

    private void waitFor(java.util.function.BooleanSupplier condition) {
        waitFor(condition, () -> "");
    }

    private void waitFor(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> shown) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .withMessage(shown).until(d -> condition.getAsBoolean());
    }

    private String runs() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/runs")))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private void screenshot(String name) throws Exception {
        Files.write(IMAGES.resolve(name), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
