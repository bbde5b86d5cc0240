package dev.junction.server.cluster

import dev.junction.server.testing.{ Effects, PostgresDatabase, RecordingTarget, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.sql.DriverManager
import java.time.Duration
import scala.jdk.CollectionConverters._

/**
 * Acceptance (#5): the journal database goes away for 15 s under load on a three-node cluster. Every request is answered 202
 * or 503, never a 202 for a message that is not in the journal, and once the database is back every 202 is delivered.
 *
 * The outage is the test database refusing connections (`ALTER DATABASE … ALLOW_CONNECTIONS false` and
 * `pg_terminate_backend` of its sessions), as `JournalOutageIT` and `HealthIT` do: to the nodes it is a database that cut every
 * connection and refuses new ones, and the PostgreSQL server that other builds on this machine use keeps running.
 */
class JournalOutageSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val Rate = Integer.getInteger("outage.rate", 150).intValue
  private val Seconds = 40
  private val OutageAt = 10
  private val OutageSeconds = 15

  Feature("The journal database stops for 15 s under load") {
    Scenario("every request gets 202 or 503, every 202 is in the journal, and every 202 is delivered after the database is back") {
      Given("three nodes (separate JVMs) on one PostgreSQL journal and a target that records every delivery per key")
      val db = PostgresDatabase.create()
      val target = new RecordingTarget(128)
      val dir = Files.createTempDirectory("journal-outage-spec")
      val config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
        "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 1s }") + ThreeNodes.FastRebalance)
      val cluster = new ThreeNodes(dir, config, db)
      val senders = new Senders(cluster.httpPorts, "/webhooks/webshop/orders")
      try {
        cluster.startAll(minShards = 4)
        senders.warmUp()
        val keys = (0 until Rate * Seconds).map(i => f"outage-$i%06d") // fixed width: no key is a prefix of another

        When(s"${keys.size} orders arrive at $Rate/s over $Seconds s, round robin; a refused request is sent again 250 ms later to the next node")
        @volatile var outage = (0L, 0L)
        val stopDatabase: () => Unit = () => {
          val from = System.currentTimeMillis()
          db.refuseConnections(true)
          Thread.sleep(OutageSeconds * 1000L)
          db.refuseConnections(false)
          outage = (from, System.currentTimeMillis())
        }
        And(s"after $OutageAt s the database refuses connections for $OutageSeconds s")
        val sent = senders.sendSteadily(keys, Rate, Map(Rate * OutageAt -> stopDatabase))

        Then("every request was answered, with 202, 200 (a retry of a write that committed after its 503) or 503")
        senders.awaitAcknowledged(sent.keys, Duration.ofSeconds(90))
        val (from, to) = outage
        def slowestOf(in: Iterable[Attempt]): String =
          if (in.isEmpty) "none" else { val a = in.maxBy(a => a.answeredAt - a.sentAt); s"${a.answeredAt - a.sentAt} ms (${a.status}, node ${a.node})" }
        val phases = senders.log.asScala.groupBy(a => if (a.sentAt < from) "before" else if (a.sentAt < to) "during" else "after")
        println("journal outage: slowest answer sent before the outage " + slowestOf(phases.getOrElse("before", Nil)) + ", during it " +
          slowestOf(phases.getOrElse("during", Nil)) + ", after it " + slowestOf(phases.getOrElse("after", Nil)))
        senders.unexpected.asScala shouldBe empty
        withClue("requests not answered within 10 s: " + senders.log.asScala.filter(_.status == -1).take(10).map(a =>
          s"node ${a.node}, sent ${a.sentAt - from} ms after the outage began").mkString("; ") + "\n") {
          senders.count(-1) shouldBe 0
        }
        val during = senders.log.asScala.filter(a => a.sentAt >= from && a.sentAt < to).toSeq
        val slowest = senders.log.asScala.map(a => a.answeredAt - a.sentAt).max
        during.count(_.status == 503) should be > 0 // the outage was refused, not hidden

        And("every acknowledged order is in the journal")
        val notInJournal = missingFromJournal(db, sent.keys)
        withClue(notInJournal.take(5).map { k =>
          s"$k (partition ${ThreeNodes.partitionOf(k, 16)}): " + senders.log.asScala.filter(_.key == k).toSeq.sortBy(_.sentAt)
            .map(a => s"sent to node ${a.node} ${a.sentAt - from} ms after the outage began, answered ${a.status} after ${a.answeredAt - a.sentAt} ms").mkString("; ")
        }.mkString("\n", "\n", "\n")) {
          notInJournal shouldBe empty
        }

        And("every acknowledged order is delivered once the database is back, none as two messages")
        Effects.awaitDelivered(target, sent.keys.asJavaCollection, Duration.ofSeconds(90))
        val deliveredAll = (System.currentTimeMillis() - to) / 1000.0
        val effects = Effects.of(sent.keys.asJavaCollection, target)
        val figures = f"journal outage: ${sent.keys.size} orders at ${sent.ratePerSecond}%.0f/s (asked $Rate/s), database away " +
          f"${(to - from) / 1000.0}%.1f s; answers ${senders.summary}; sent during the outage: ${during.size} requests, " +
          f"${during.count(_.status == 503)} answered 503, ${during.count(a => a.status == 202 || a.status == 200)} acknowledged; slowest answer " +
          f"$slowest ms; ${senders.retried.size} keys needed a retry; $effects; all delivered by $deliveredAll%.1f s after the database came back"
        info(figures)
        println(figures)
        effects.lost shouldBe empty
        effects.duplicateEffects shouldBe empty
      } finally {
        senders.close()
        cluster.close()
        target.close()
        // -Dspec.keep-db=true keeps the journal for a look after a failure (drop it by hand).
        if (!java.lang.Boolean.getBoolean("spec.keep-db")) db.close() else println(s"kept ${db.url()}")
      }
    }
  }

  /** The keys whose bytes appear in no journal event: an `Accepted` event carries the envelope, key included. */
  private def missingFromJournal(db: PostgresDatabase, keys: Seq[String]): Seq[String] = {
    val journal = new StringBuilder
    val c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, "")
    try {
      val rs = c.createStatement().executeQuery("SELECT event_payload FROM event_journal")
      while (rs.next()) journal.append(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1)).append('\n')
    } finally c.close()
    val inJournal = "outage-[0-9]{6}".r.findAllIn(journal).toSet
    keys.filterNot(inJournal.contains)
  }
}
