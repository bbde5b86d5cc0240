package dev.junction.server.cluster

import dev.junction.server.testing.{ Effects, PostgresDatabase, RecordingTarget, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.nio.file.Files
import java.time.Duration
import scala.jdk.CollectionConverters._

/**
 * Acceptance (#5): three nodes on one PostgreSQL journal lose one node to SIGKILL under steady load and get it back. Every
 * acknowledged message is delivered, none becomes two effects, and each of the killed node's partitions delivers again within 40 s.
 */
class FailoverSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val Messages = Integer.getInteger("failover.messages", 20000).intValue
  private val Rate = Integer.getInteger("failover.rate", 250).intValue
  private val Integration = "orders-to-erp"
  private val Partitions = 16

  Feature("A node of three crashes under load") {
    Scenario("SIGKILL one node at 30 % of the messages and restart it at 60 %: nothing lost, no effect twice, accepting again within 38 s, delivering within 40 s") {
      Given("three nodes (separate JVMs) on one PostgreSQL journal and a target that records every delivery per key")
      val db = PostgresDatabase.create()
      // Each delivery takes 250 ms, as a real ERP call might: deliveries are under way on the node when it is killed. The
      // ERP's connections per node match its max-in-flight (64): with the sink's default 32, 128 deliveries a second per node,
      // the two surviving nodes were at the spec's whole rate, and a moved partition's first delivery waited 5-16 s in their
      // queue for the ERP after it had recovered (28-46 s after the kill instead of 26-28 s).
      val target = new RecordingTarget(128).delay(250)
      val dir = Files.createTempDirectory("failover-spec")
      val config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
        "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 1s }")
        .replace("path = \"/erp/orders\" }", "path = \"/erp/orders\", max-connections = 64 }") + ThreeNodes.FastRebalance)
      val cluster = new ThreeNodes(dir, config, db)
      val senders = new Senders(cluster.httpPorts, "/webhooks/webshop/orders")
      try {
        cluster.startAll(minShards = 4)
        val keys = (0 until Messages).map(i => f"failover-$i%06d")

        When(s"$Messages orders arrive at $Rate/s, round robin over the nodes; a refused or unanswered request is sent again 250 ms later to the next node")
        @volatile var killedAt = 0L
        @volatile var killedPartitions = Set.empty[Int]
        @volatile var killedShards = Set.empty[String]
        @volatile var victim = -1
        val kill: () => Unit = () => {
          victim = cluster.oldest() // the hardest node to lose: the shard coordinator and every singleton move too
          val shards = cluster.shardsOn(victim)
          killedShards = shards
          killedPartitions = (0 until Partitions).filter(p => shards.contains(ThreeNodes.shardOf(Integration, p))).toSet
          killedAt = System.currentTimeMillis()
          cluster.kill(victim)
          println(s"failover: node $victim (the oldest) killed with SIGKILL; it held partitions ${killedPartitions.toSeq.sorted.mkString(",")}")
        }
        val restart: () => Unit = () => {
          // Not before its partitions live on the other nodes: a node rejoining on the same address while sharding still
          // waits out the down-removal-margin makes the coordinator try to rebalance a shard away from the dead node, which
          // then hangs for handoff-timeout (60 s). Waiting here keeps the measured failover the cluster's own.
          Deadline.await(Duration.ofSeconds(60), "the killed node's shards on the other nodes") {
            val others = (0 until 3).filter(_ != victim)
            cluster.members(others.head) == 2 && killedShards.subsetOf(others.flatMap(cluster.shardsOn).toSet)
          } { () => s"shards of the killed node now elsewhere: " +
            s"${killedShards.intersect((0 until 3).filter(_ != victim).flatMap(cluster.shardsOn).toSet).size} of ${killedShards.size}" }
          println(s"failover: the killed node's partitions live on the other nodes ${(System.currentTimeMillis() - killedAt) / 1000.0} s after the kill")
          cluster.start(victim)
          cluster.awaitReady(victim, Duration.ofSeconds(90))
          println(s"failover: node $victim back and Up ${(System.currentTimeMillis() - killedAt) / 1000.0} s after the kill")
        }
        And("the oldest node (shard coordinator, singletons) is killed with SIGKILL at 30 % and started again at 60 %")
        val achieved = senders.sendSteadily(keys, Rate, Map(Messages * 3 / 10 -> kill, Messages * 6 / 10 -> restart)).ratePerSecond

        Then("every order is acknowledged in the end (202, or 200 for a retry of a write that committed after its 503)")
        senders.awaitAcknowledged(keys, Duration.ofSeconds(90))
        senders.unexpected.asScala shouldBe empty

        And("every acknowledged order is delivered, and none as two messages")
        Effects.awaitDelivered(target, keys.asJavaCollection, Duration.ofSeconds(90))
        val effects = Effects.of(keys.asJavaCollection, target)
        effects.lost shouldBe empty
        effects.duplicateEffects shouldBe empty

        And("each of the killed node's partitions accepts again within 38 s of the kill, and delivers again within 40 s")
        val partitionOf = (k: String) => ThreeNodes.partitionOf(k, Partitions)
        val inKilled = (k: String) => killedPartitions.contains(partitionOf(k))
        val deliveries = target.answers().asScala.filter(a => a.status() == 200 && inKilled(a.key())).toSeq
        // One timeline per partition: merged, one partition delivering would hide another that never resumed.
        val deliveriesOf = deliveries.groupMap(a => partitionOf(a.key()))(_.at())
        val acksOf = senders.acknowledgedAt.asScala.toSeq.collect { case (k, at) if inKilled(k) => (partitionOf(k), at.longValue) }
          .groupMap(_._1)(_._2)
        val perPartition = killedPartitions.toSeq.sorted.map { p =>
          p -> Failover.measure(killedAt, deliveriesOf.getOrElse(p, Seq.empty), acksOf.getOrElse(p, Seq.empty))
        }
        killedPartitions should not be empty
        val (slowestPartition, failover) = perPartition.maxBy(_._2.deliveryResumedAfterMillis)
        val resumedPerPartition = perPartition.map { case (p, f) => s"$p: ${f.deliveryResumedAfterMillis / 1000.0} s" }.mkString(", ")
        // Acknowledged before the kill and delivered (again, or for the first time) more than a second after it: the envelopes
        // the killed node had not settled, which only the partitions' next owner could deliver.
        val lastDelivery = deliveries.groupMapReduce(_.key())(_.at())(math.max)
        val pendingAtKill = lastDelivery.filter { case (k, at) => senders.acknowledgedAt.get(k) < killedAt && at > killedAt + 1000 }
        val pendingDelivered = pendingAtKill.values.map(_ - killedAt)
        val figures = f"failover: $Messages orders at $achieved%.0f/s achieved (asked $Rate/s); answers ${senders.summary}; " +
          f"${senders.retried.size} keys needed a retry; $effects; the killed node held ${killedPartitions.size} of $Partitions partitions " +
          f"with ${pendingAtKill.size} acknowledged orders not settled; slowest partition $slowestPartition: $failover; deliveries resumed per partition after $resumedPerPartition; those orders delivered by the next owner " +
          f"${pendingDelivered.minOption.getOrElse(0L) / 1000.0}%.1f-${pendingDelivered.maxOption.getOrElse(0L) / 1000.0}%.1f s after the kill"
        info(figures)
        println(figures)
        pendingAtKill should not be empty // else nothing was pending on the killed node and the figure below would say nothing
        // The failover proper: a partition accepts again once it is allocated elsewhere and recovered. 18 s are settings
        // (failure detection ~4 s, stable-after 7 s, down-removal-margin 7 s); the rest is allocation and recovery on two cores
        // this spec's own load saturates: 27-31 s in the runs of 2026-12-02. 38 s stays under the ~45 s that Pekko's default
        // stable-after alone would give, so a lost setting fails here.
        val acceptedPerPartition = perPartition.map { case (p, f) => s"$p: ${f.ackResumedAfterMillis / 1000.0} s" }.mkString(", ")
        withClue(s"the killed node's partitions accepted again after $acceptedPerPartition: ") {
          all(perPartition.map(_._2.ackResumedAfterMillis)) should be <= 38000L
        }
        // The first delivery follows recovery (25.9-27.6 s after the kill in the run of 2026-12-02 with the ERP's connections
        // matching its max-in-flight, 22 s at an earlier stop); 40 s leaves room for a slower machine.
        withClue(s"the killed node's partitions delivered again after $resumedPerPartition: ") {
          all(perPartition.map(_._2.deliveryResumedAfterMillis)) should be <= 40000L
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

/**
 * The failover as one of the killed node's partitions saw it: the longest pause, after the kill, in its successful deliveries (and
 * in their acknowledgements), and when it ended. Deliveries flow to the partition all the time (new orders and orders
 * pending at the kill), so the pause is the time no node delivered for it; a partition that never delivered again has no end.
 */
final case class Failover(deliveryPauseMillis: Long, deliveryResumedAfterMillis: Long, ackPauseMillis: Long, ackResumedAfterMillis: Long) {
  override def toString: String =
    f"its deliveries paused ${deliveryPauseMillis / 1000.0}%.1f s and resumed ${deliveryResumedAfterMillis / 1000.0}%.1f s after the kill; " +
      f"acknowledgements paused ${ackPauseMillis / 1000.0}%.1f s and resumed ${ackResumedAfterMillis / 1000.0}%.1f s after the kill"
}

object Failover {
  def measure(killedAt: Long, deliveries: Seq[Long], acks: Seq[Long]): Failover = {
    val (dPause, dEnd) = longestGapAfter(killedAt, deliveries)
    val (aPause, aEnd) = longestGapAfter(killedAt, acks)
    Failover(dPause, dEnd - killedAt, aPause, aEnd - killedAt)
  }

  /** The longest gap between consecutive times that ends after `from` (the gap may start before it), and its end. */
  private def longestGapAfter(from: Long, times: Seq[Long]): (Long, Long) = {
    val sorted = times.sorted
    sorted.zip(sorted.drop(1)).filter(_._2 > from).map { case (a, b) => (b - a, b) }.maxByOption(_._1).getOrElse((Long.MaxValue, Long.MaxValue))
  }
}
