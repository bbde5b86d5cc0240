package dev.junction.server.api;

import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.masking.Redactor;

/**
 * How the admin API shows a message: through its integration's current {@code mask}, so a mask added later covers the messages
 * already stored. A message of an integration no longer configured has no mask to follow and is shown as it is.
 */
final class Masks {
    private final Catalog catalog;

    Masks(Catalog catalog) {
        this.catalog = catalog;
    }

    Redactor of(Envelope envelope) {
        IntegrationSettings integration = catalog.current().get(envelope.integration());
        if (integration == null) {
            return Redactor.NONE;
        }
        // an element of a split starts after the first step and holds a part of its original
        return (envelope.firstStep() > 0 ? integration.mask().elements() : integration.mask()).redactor(envelope.raw());
    }
}
