import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Creates a topic, or produces quickstart orders to it (acks=all, idempotent):
 * java -cp 'connectors/kafka-broker/target/lib/*' KafkaPublish.java bootstrap create topic partitions
 * java -cp 'connectors/kafka-broker/target/lib/*' KafkaPublish.java bootstrap publish topic prefix count
 */
public class KafkaPublish {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[2];
        if (args[1].equals("create")) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(java.util.List.of(new NewTopic(topic, Integer.parseInt(args[3]), (short) 1))).all().get();
            }
            return;
        }
        String prefix = args[3];
        int count = Integer.parseInt(args[4]);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "enable.idempotence", true, "linger.ms", 20, "batch.size", 262144), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 1; i <= count; i++) {
                String body = "{\"id\":\"" + prefix + "-" + i + "\",\"currency\":\"EUR\",\"customer\":{\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\"},"
                        + "\"lines\":[{\"sku\":\"LAMP-01\",\"qty\":2,\"price\":19.5},{\"sku\":\"BULB-E27\",\"qty\":4,\"price\":3.25}]}";
                producer.send(new ProducerRecord<>(topic, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }
}
