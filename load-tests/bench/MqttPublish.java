import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Publishes quickstart orders with QoS 1, up to {@value #WINDOW} unacknowledged at once (fewer if the broker's receive maximum
 * says so), waiting for the oldest PUBACK when that is reached: java -cp paho-mqttv5.jar MqttPublish.java uri topic prefix count.
 * (Mosquitto allows 65,535, every packet id: Paho then runs out of ids.)
 * (mosquitto_pub -l queues every line it reads without waiting for acknowledgements; the broker dropped it as out of memory
 * after 68,935 messages.)
 */
public class MqttPublish {
    private static final int WINDOW = 1000;

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String topic = args[1];
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        MqttAsyncClient client = new MqttAsyncClient(uri, "bench-publisher-" + ProcessHandle.current().pid(), new MemoryPersistence());
        client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        ArrayDeque<IMqttToken> unacknowledged = new ArrayDeque<>();
        for (int i = 1; i <= count; i++) {
            String body = "{\"id\":\"" + prefix + "-" + i + "\",\"currency\":\"EUR\",\"customer\":{\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\"},"
                    + "\"lines\":[{\"sku\":\"LAMP-01\",\"qty\":2,\"price\":19.5},{\"sku\":\"BULB-E27\",\"qty\":4,\"price\":3.25}]}";
            MqttMessage message = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            if (unacknowledged.size() >= WINDOW) {
                unacknowledged.pollFirst().waitForCompletion(60_000);
            }
            while (true) {
                try {
                    unacknowledged.addLast(client.publish(topic, message));
                    break;
                } catch (MqttException e) {
                    if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || unacknowledged.isEmpty()) {
                        throw e;
                    }
                    unacknowledged.pollFirst().waitForCompletion(60_000);
                }
            }
            while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().isComplete()) {
                unacknowledged.pollFirst();
            }
        }
        for (IMqttToken token : unacknowledged) {
            token.waitForCompletion(60_000);
        }
        client.disconnect().waitForCompletion(10_000);
        client.close();
    }
}
