package dev.junction.server.cluster

import dev.junction.server.testing.{ Effects, PostgresDatabase, RecordingTarget, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.atomic.AtomicBoolean
import scala.jdk.CollectionConverters._

/**
 * Acceptance (#5): a rolling restart under load, as an operator (or Kubernetes) does it: SIGTERM one node, start it again,
 * wait until it is Up and ready, then the next. A node that leaves hands its partitions over after their deliveries finish,
 * so nothing is lost and nothing is delivered twice.
 */
class RollingRestartSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val Rate = Integer.getInteger("rolling.rate", 200).intValue

  Feature("A rolling restart of three nodes under load") {
    Scenario("SIGTERM, restart and wait for ready, node by node, while orders arrive: nothing lost, nothing delivered twice") {
      Given("three nodes (separate JVMs) on one PostgreSQL journal and a target that records every delivery per key")
      val db = PostgresDatabase.create()
      val target = new RecordingTarget(128).delay(250) // deliveries are under way whenever a node leaves
      val dir = Files.createTempDirectory("rolling-restart-spec")
      val config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
        "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 1s }") + ThreeNodes.FastRebalance)
      val cluster = new ThreeNodes(dir, config, db)
      val senders = new Senders(cluster.httpPorts, "/webhooks/webshop/orders")
      try {
        cluster.startAll(minShards = 4)
        val keys = (0 until 100000).map(i => f"rolling-$i%06d")

        When(s"orders arrive at $Rate/s, round robin over the nodes; a refused or unanswered request is sent again 250 ms later to the next node")
        val done = new AtomicBoolean()
        val rollingStarted = System.currentTimeMillis()
        val rolling: () => Unit = () => {
          for (i <- 0 until cluster.size) {
            val stopping = System.currentTimeMillis()
            val exit = cluster.terminate(i, Duration.ofSeconds(60))
            val stopped = System.currentTimeMillis()
            cluster.start(i)
            cluster.awaitReady(i, Duration.ofSeconds(90))
            println(f"rolling restart: node $i left in ${(stopped - stopping) / 1000.0}%.1f s (exit $exit), " +
              f"was Up and ready again ${(System.currentTimeMillis() - stopped) / 1000.0}%.1f s later")
          }
          Thread.sleep(5000) // load goes on a little after the last node is back
          done.set(true)
        }
        And("after 5 s the nodes are restarted one after the other: SIGTERM, start, Up and ready, next")
        val sent = senders.sendSteadily(keys, Rate, Map(Rate * 5 -> rolling), () => done.get)
        val rollingTook = (System.currentTimeMillis() - rollingStarted) / 1000.0

        Then("every order is acknowledged in the end (202, or 200 for a retry of a write that committed after its 503)")
        senders.awaitAcknowledged(sent.keys, Duration.ofSeconds(90))
        senders.unexpected.asScala shouldBe empty

        And("every acknowledged order is delivered exactly once")
        Effects.awaitDelivered(target, sent.keys.asJavaCollection, Duration.ofSeconds(90))
        val effects = Effects.of(sent.keys.asJavaCollection, target)
        val figures = f"rolling restart: ${sent.keys.size} orders at ${sent.ratePerSecond}%.0f/s (asked $Rate/s) over $rollingTook%.0f s; " +
          f"answers ${senders.summary}; ${senders.retried.size} keys needed a retry; $effects"
        info(figures)
        println(figures)
        effects.lost shouldBe empty
        effects.duplicateEffects shouldBe empty
        effects.redelivered shouldBe empty
      } finally {
        senders.close()
        cluster.close()
        target.close()
        db.close()
      }
    }
  }
}
