package dev.junction.server.cluster

import dev.junction.server.testing.RecordingTarget
import org.scalatest.funsuite.AnyFunSuite

import java.net.URI
import java.net.http.{ HttpClient, HttpRequest, HttpResponse }

/** The specs' verdict can fail: a lost key, a key that arrived as two messages, and a plain re-delivery are each told apart. */
class EffectsTest extends AnyFunSuite {
  private val client = HttpClient.newHttpClient()

  private def deliver(target: RecordingTarget, key: String, messageId: String, body: String): Unit =
    client.send(HttpRequest.newBuilder(URI.create(target.baseUrl() + "/erp/orders")).header("Idempotency-Key", key)
      .header("X-Junction-Message-Id", messageId).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
      HttpResponse.BodyHandlers.discarding())

  test("a lost key, a duplicate effect and a re-delivery are each reported") {
    val target = new RecordingTarget()
    try {
      deliver(target, "once", "m1", "{}")
      deliver(target, "again", "m2", "{}")
      deliver(target, "again", "m2", "{}") // at-least-once: the same message again, one effect
      deliver(target, "twice", "m3", "{}")
      deliver(target, "twice", "m4", "{}") // the inbox accepted one key twice: two effects
      val effects = Effects.of(Seq("once", "again", "twice", "lost"), target)
      assert(effects.lost == Seq("lost"))
      assert(effects.duplicateEffects == Seq("twice"))
      assert(effects.redelivered == Seq("again", "twice"))
    } finally target.close()
  }
}
