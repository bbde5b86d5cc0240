package dev.junction.server.source;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the Kafka ITs do to a topic: produce orders at a steady pace, and read a consumer group's lag on it. */
final class KafkaRecords {
    private KafkaRecords() {}

    static String body(String order) {
        return "{\"id\":\"" + order + "\",\"total\":52.0}";
    }

    /** 100 records every {@code everyMillis} ms, each acknowledged by the broker; notes where each one landed. */
    static void produceSlowly(KafkaProducer<byte[], byte[]> producer, String topic, List<String> orders,
                              Map<String, String> positionOf, AtomicInteger published, long everyMillis) {
        try {
            for (int from = 0; from < orders.size(); from += 100) {
                long started = System.nanoTime();
                Map<String, java.util.concurrent.Future<RecordMetadata>> sent = new HashMap<>();
                for (String o : orders.subList(from, Math.min(orders.size(), from + 100))) {
                    sent.put(o, producer.send(new ProducerRecord<>(topic, o.getBytes(StandardCharsets.UTF_8),
                            body(o).getBytes(StandardCharsets.UTF_8))));
                }
                for (var e : sent.entrySet()) {
                    var m = e.getValue().get(60, TimeUnit.SECONDS);
                    positionOf.put(e.getKey(), m.topic() + "-" + m.partition() + "-" + m.offset());
                }
                published.set(Math.min(orders.size(), from + 100));
                Thread.sleep(Math.max(0, everyMillis - (System.nanoTime() - started) / 1_000_000));
            }
        } catch (Exception e) {
            throw new IllegalStateException("producing failed", e);
        }
    }

    /** The records of {@code topic}'s partitions that {@code group} has not committed. */
    static long lag(Admin admin, String topic, int partitions, String group) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (TopicPartition tp : latest.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            lag += ends.get(tp).offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** {@link #lag}, or -1 while the broker does not answer (a wait polls it until it does). */
    static long lagOrMinusOne(Admin admin, String topic, int partitions, String group) {
        try {
            return lag(admin, topic, partitions, group);
        } catch (Exception e) {
            return -1;
        }
    }
}
