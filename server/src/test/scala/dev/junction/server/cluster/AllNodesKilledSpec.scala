package dev.junction.server.cluster

import dev.junction.server.testing.{ Effects, PostgresDatabase, RecordingTarget, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.nio.file.Files
import java.time.Duration
import scala.jdk.CollectionConverters._

/**
 * The fault battery (#17): every node of three killed at once with SIGKILL under load, then all started again. Nothing in
 * memory survives, so whatever was acknowledged must come back from the PostgreSQL journal alone: every acknowledged order is
 * delivered, none as two messages, and every partition delivers again within 60 s of the restart. Short by default for CI;
 * `-Dallnodes.messages` and `-Dallnodes.rate` make it a longer run.
 */
class AllNodesKilledSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val Messages = Integer.getInteger("allnodes.messages", 3000).intValue
  private val Rate = Integer.getInteger("allnodes.rate", 150).intValue
  private val Partitions = 16

  Feature("The whole cluster crashes under load") {
    Scenario("SIGKILL all three nodes at 40 % of the messages, start them again 3 s later: nothing lost, no effect twice, every partition resumed within 60 s") {
      Given("three nodes (separate JVMs) on one PostgreSQL journal and a target that records every delivery per key")
      val db = PostgresDatabase.create()
      // Each delivery takes 250 ms: deliveries are under way on every node when they are all killed.
      val target = new RecordingTarget(128).delay(250)
      val dir = Files.createTempDirectory("all-nodes-killed-spec")
      val config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
        "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 1s }") + ThreeNodes.FastRebalance)
      val cluster = new ThreeNodes(dir, config, db)
      val senders = new Senders(cluster.httpPorts, "/webhooks/webshop/orders")
      try {
        cluster.startAll(minShards = 4)
        val keys = (0 until Messages).map(i => f"all-killed-$i%06d")

        When(s"$Messages orders arrive at $Rate/s, round robin over the nodes; a refused or unanswered request is sent again 250 ms later to the next node")
        @volatile var killedAt = 0L
        @volatile var restartedAt = 0L
        val crash: () => Unit = () => {
          killedAt = System.currentTimeMillis()
          (0 until cluster.size).foreach(cluster.kill)
          println(s"all nodes killed: the three JVMs ended by SIGKILL")
          Thread.sleep(3000)
          restartedAt = System.currentTimeMillis()
          (0 until cluster.size).foreach(cluster.start)
          (0 until cluster.size).foreach(i => cluster.awaitReady(i, Duration.ofSeconds(120)))
          println(f"all nodes killed: the three nodes Up and ready again ${(System.currentTimeMillis() - restartedAt) / 1000.0}%.1f s after their start")
        }
        And("all three nodes are killed with SIGKILL at 40 % and started again, all at once, 3 s later")
        val achieved = senders.sendSteadily(keys, Rate, Map(Messages * 4 / 10 -> crash)).ratePerSecond

        Then("every order is acknowledged in the end (202, or 200 for a retry of a write that committed after its 503)")
        senders.awaitAcknowledged(keys, Duration.ofSeconds(120))
        senders.unexpected.asScala shouldBe empty

        And("every acknowledged order is delivered, and none as two messages")
        Effects.awaitDelivered(target, keys.asJavaCollection, Duration.ofSeconds(120))
        val effects = Effects.of(keys.asJavaCollection, target)

        And("every partition delivers again within 60 s of the restart")
        val partitionOf = (k: String) => ThreeNodes.partitionOf(k, Partitions)
        val successes = target.answers().asScala.filter(_.status() == 200).toSeq
        val resumedAfter = (0 until Partitions).map { p =>
          p -> successes.filter(a => partitionOf(a.key()) == p && a.at() >= restartedAt).map(_.at() - restartedAt).minOption
        }
        val missing = resumedAfter.collect { case (p, None) => p }
        val slowest = resumedAfter.flatMap(_._2).maxOption.getOrElse(Long.MaxValue)
        // Acknowledged before the kill and first delivered after it: what was in flight or queued when every node died, which
        // only the journal could bring back.
        val firstDelivery = successes.groupMapReduce(_.key())(_.at())(math.min)
        val pendingAtKill = firstDelivery.count { case (k, at) => senders.acknowledgedAt.get(k) < killedAt && at > killedAt }
        val figures = f"all nodes killed: $Messages orders at $achieved%.0f/s achieved (asked $Rate/s); answers ${senders.summary}; " +
          f"${senders.retried.size} keys needed a retry; $effects; $pendingAtKill acknowledged before the kill and not yet delivered; " +
          f"delivery resumed ${resumedAfter.flatMap(_._2).minOption.getOrElse(-1L) / 1000.0}%.1f s after the restart, the slowest " +
          f"of $Partitions partitions ${slowest / 1000.0}%.1f s after it"
        info(figures)
        println(figures)
        effects.lost shouldBe empty
        effects.duplicateEffects shouldBe empty
        pendingAtKill should be > 0 // else nothing depended on the journal and the run proves nothing
        withClue(s"partitions that never delivered after the restart: $missing; resumed after ${resumedAfter.mkString(", ")}: ") {
          missing shouldBe empty
          slowest should be <= 60000L
        }
      } finally {
        senders.close()
        cluster.close()
        target.close()
        db.close()
      }
    }
  }
}
