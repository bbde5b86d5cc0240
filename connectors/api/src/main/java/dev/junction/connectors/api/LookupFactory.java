package dev.junction.connectors.api;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Makes the {@link LookupReader} of a system that a pipeline's {@code enrich} step reads from.
 *
 * <p>Lifecycle: {@link #open} is called once per enrich step on each node, when the integration's revision is loaded, on the
 * loading thread; it must not block (create clients lazily or share the actor system's).
 */
public interface LookupFactory {

    /**
     * @param systemConfig the system's connector settings, validated, defaults applied
     * @param system       the server's actor system, for a client that needs one
     * @param timeout      how long one read may take before it fails as retriable
     */
    LookupReader open(Config systemConfig, ActorSystem<?> system, Duration timeout);
}
