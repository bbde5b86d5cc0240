import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.api.PublishAck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Publishes quickstart orders to a JetStream subject, 1,000 in flight: java -cp jnats.jar NatsPublish.java subject prefix count */
public class NatsPublish {
    public static void main(String[] args) throws Exception {
        String subject = args[0];
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        try (Connection nats = Nats.connect("nats://127.0.0.1:4222")) {
            JetStream js = nats.jetStream();
            List<CompletableFuture<PublishAck>> window = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String body = "{\"id\":\"" + prefix + "-" + i + "\",\"currency\":\"EUR\",\"customer\":{\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\"},"
                        + "\"lines\":[{\"sku\":\"LAMP-01\",\"qty\":2,\"price\":19.5},{\"sku\":\"BULB-E27\",\"qty\":4,\"price\":3.25}]}";
                window.add(js.publishAsync(subject, body.getBytes(StandardCharsets.UTF_8)));
                if (window.size() == 1000) {
                    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
                    window.clear();
                }
            }
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
        }
    }
}
