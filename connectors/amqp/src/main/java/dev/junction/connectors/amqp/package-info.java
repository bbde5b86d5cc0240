/**
 * The {@code amqp} connector: RabbitMQ and other AMQP 0-9-1 brokers. A queue source that acknowledges each delivery only once
 * the inbox holds it, and an exchange sink that succeeds only on the broker's publisher confirm. Shipped as a plugin.
 */
package dev.junction.connectors.amqp;
