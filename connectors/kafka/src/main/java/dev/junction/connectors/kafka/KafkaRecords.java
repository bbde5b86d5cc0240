package dev.junction.connectors.kafka;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of one Kafka record: {@link Intake} reads it (key, JSON body) and hands it to the inbox; the answer says
 * whether it counts as done or is to be read again later. A record the source cannot use (no usable key, a value that is not
 * JSON, a key reused with another body) goes into the integration's dead letters with its raw bytes
 * ({@code Ingestor.reject}) and then counts as done: an operator sees it. Stateless apart from its settings; thread-safe.
 */
final class KafkaRecords {
    private static final Logger log = LoggerFactory.getLogger(KafkaRecords.class);

    private final SourceContext context;
    private final Intake intake;

    KafkaRecords(KafkaSourceSettings settings, SourceContext context) {
        this.context = context;
        this.intake = new Intake(context.ingestor(), settings.keys());
    }

    /** {@link Intake.Outcome.Acknowledge} or {@link Intake.Outcome.Retry}: an unusable record is recorded first. */
    CompletionStage<Intake.Outcome> take(ConsumerRecord<byte[], byte[]> record) {
        Intake.Received received = new Intake.Received(record.value() == null ? new byte[0] : record.value(),
                header(record, "content-type").orElse("application/json"), kept(record), name -> header(record, name),
                name -> nativeKey(record, name));
        return intake.take(received).thenCompose(outcome -> {
            if (outcome instanceof Intake.Outcome.Unusable unusable) {
                log.warn("{}: record {} is recorded as a dead letter: {}", context.integration(), position(record), unusable.reason());
                return intake.record(unusable, received);
            }
            return CompletableFuture.completedFuture(outcome);
        });
    }

    /** {@code <topic>-<partition>-<offset>}: where the record sits, the same on every redelivery. */
    static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "-" + record.offset();
    }

    private static Optional<String> nativeKey(ConsumerRecord<byte[], byte[]> record, String name) {
        if (name.equals(KafkaSourceFactory.OFFSET)) {
            return Optional.of(position(record));
        }
        if (name.equals(KafkaSourceFactory.RECORD_KEY) && record.key() != null) {
            return Optional.of(new String(record.key(), StandardCharsets.UTF_8));
        }
        return Optional.empty();
    }

    /** What is kept with the message: where it came from and its identifying headers. */
    private static Map<String, String> kept(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> kept = new HashMap<>();
        kept.put("kafka-topic", record.topic());
        kept.put("kafka-partition", String.valueOf(record.partition()));
        kept.put("kafka-offset", String.valueOf(record.offset()));
        header(record, "content-type").ifPresent(type -> kept.put("content-type", type));
        header(record, "traceparent").ifPresent(trace -> kept.put("traceparent", trace));
        return kept;
    }

    /** A header by name, case-insensitively, its last value as UTF-8 when it repeats. */
    static Optional<String> header(ConsumerRecord<byte[], byte[]> record, String name) {
        String found = null;
        for (Header header : record.headers()) {
            if (header.key().equalsIgnoreCase(name) && header.value() != null) {
                found = new String(header.value(), StandardCharsets.UTF_8);
            }
        }
        return Optional.ofNullable(found);
    }
}
