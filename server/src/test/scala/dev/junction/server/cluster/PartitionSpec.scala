package dev.junction.server.cluster

import dev.junction.server.testing.{ Effects, PostgresDatabase, RecordingTarget, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.nio.file.{ Files, Path }
import java.sql.DriverManager
import java.time.Duration
import scala.collection.mutable
import scala.jdk.CollectionConverters._

/**
 * The fault battery (#17): one node of three cut off from the other two for 30 s under load, then let back in. The cut is made
 * with iptables on loopback: the isolated node's JVM runs with a group of its own, so its outgoing connections to the others'
 * remoting ports can be dropped by owner, and every packet to its own remoting port is dropped. Its HTTP port and the journal
 * stay reachable, so the isolated node keeps taking webhooks and writing to PostgreSQL until the split-brain resolver
 * (keep-majority) makes it down itself, which is exactly when two writers per partition would be possible.
 *
 * Short by default for CI; `-Dpartition.messages`, `-Dpartition.rate` and `-Dpartition.seconds` make it a longer run.
 */
class PartitionSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val Messages = Integer.getInteger("partition.messages", 9000).intValue
  private val Rate = Integer.getInteger("partition.rate", 150).intValue
  private val CutSeconds = Integer.getInteger("partition.seconds", 30).intValue
  private val Partitions = 16
  private val IsolatedGroup = 4242

  Feature("A network partition isolates one node of three") {
    Scenario(s"node cut off for $CutSeconds s under load: its side downs itself, one writer per partition, nothing lost, no effect twice") {
      Given("three nodes on one PostgreSQL journal, the youngest started in a group of its own so that a firewall can tell its connections apart")
      Firewall.available() shouldBe true
      val db = PostgresDatabase.create()
      val target = new RecordingTarget(128).delay(100)
      val dir = Files.createTempDirectory("partition-spec")
      val config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
        "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 1s }") + ThreeNodes.FastRebalance)
      val isolated = 2 // not a seed: node 2 joins through nodes 0 and 1, and rejoins through them after the cut
      val cluster = new ThreeNodes(dir, config, db,
        launcher = i => if (i == isolated) java.util.List.of("setpriv", s"--regid=$IsolatedGroup", "--clear-groups") else java.util.List.of())
      val senders = new Senders(cluster.httpPorts, "/webhooks/webshop/orders")
      val firewall = new Firewall
      try {
        cluster.startAll(minShards = 4)
        val keys = (0 until Messages).map(i => f"partition-$i%06d")
        val isolatedShards = cluster.shardsOn(isolated)
        val isolatedPartitions = (0 until Partitions).filter(p => isolatedShards.contains(ThreeNodes.shardOf("orders-to-erp", p)))

        When(s"$Messages orders arrive at $Rate/s round robin over the nodes, and at 10 % node $isolated is cut off from the others for $CutSeconds s")
        @volatile var cutAt = 0L
        @volatile var downedAfter = -1L
        @volatile var majorityAloneAfter = -1L
        val cut: () => Unit = () => {
          val others = (0 until cluster.size).filter(_ != isolated)
          firewall.drop(others.map(o => Seq("-m", "owner", "--gid-owner", IsolatedGroup.toString, "--dport", cluster.remoting(o).toString)) :+
            Seq("--dport", cluster.remoting(isolated).toString))
          cutAt = System.currentTimeMillis()
          println(s"partition: node $isolated cut off (it hosted partitions ${isolatedPartitions.mkString(",")})")
          Deadline.await(Duration.ofSeconds(CutSeconds.toLong), s"node $isolated to down itself and the others to remove it") {
            if (majorityAloneAfter < 0 && others.forall(cluster.members(_) == 2)) majorityAloneAfter = System.currentTimeMillis() - cutAt
            if (downedAfter < 0 && !cluster.isAlive(isolated)) downedAfter = System.currentTimeMillis() - cutAt
            majorityAloneAfter >= 0 && downedAfter >= 0
          } { () => s"members seen by ${others.map(o => s"node $o: ${cluster.members(o)}").mkString(", ")}; node $isolated's JVM alive: ${cluster.isAlive(isolated)}; see ${cluster.log(isolated)}" }
          println(s"partition: node $isolated downed itself ${downedAfter / 1000.0} s after the cut; the others removed it ${majorityAloneAfter / 1000.0} s after it")
          Thread.sleep(math.max(0L, cutAt + CutSeconds * 1000L - System.currentTimeMillis()))
          firewall.clear()
          println(s"partition: healed ${(System.currentTimeMillis() - cutAt) / 1000.0} s after the cut; node $isolated started again")
          cluster.start(isolated)
          cluster.awaitReady(isolated, Duration.ofSeconds(90))
          println(s"partition: node $isolated back and Up ${(System.currentTimeMillis() - cutAt) / 1000.0} s after the cut")
        }
        val achieved = senders.sendSteadily(keys, Rate, Map(Messages / 10 -> cut)).ratePerSecond

        Then("the split-brain resolver downed the isolated side (its JVM ended) and the majority went on without it")
        downedAfter should be >= 0L
        majorityAloneAfter should be >= 0L

        And("every order is acknowledged in the end, every acknowledged order delivered, none as two messages")
        senders.awaitAcknowledged(keys, Duration.ofSeconds(90))
        senders.unexpected.asScala shouldBe empty
        Effects.awaitDelivered(target, keys.asJavaCollection, Duration.ofSeconds(90))
        val effects = Effects.of(keys.asJavaCollection, target)

        And("each partition had one writer at a time: no journal write conflicted with another's, and no writer's events interleave with another's")
        val conflicts = (0 until cluster.size).flatMap(i => Files.readAllLines(cluster.log(i)).asScala
          .filter(l => l.contains("duplicate key value") || l.contains("Failed to persist event")).map(l => s"node $i: $l"))
        val interleaved = Journal.interleavedWriters(db)
        val acceptedByIsolated = Journal.eventsWrittenAfter(db, cutAt, isolatedPartitions.map(p => s"orders-to-erp#$p"))
        val figures = f"partition: $Messages orders at $achieved%.0f/s achieved (asked $Rate/s); answers ${senders.summary}; " +
          f"${senders.retried.size} keys needed a retry; $effects; node $isolated downed itself ${downedAfter / 1000.0}%.1f s and was removed by " +
          f"the others ${majorityAloneAfter / 1000.0}%.1f s after the cut; $acceptedByIsolated events written to its partitions after the cut; " +
          f"journal write conflicts: ${conflicts.size}; partitions whose writers interleave: ${interleaved.size}"
        info(figures)
        println(figures)
        effects.lost shouldBe empty
        effects.duplicateEffects shouldBe empty
        withClue(s"two writers at once: ${(conflicts.take(5) ++ interleaved.take(5)).mkString("; ")}: ") {
          conflicts shouldBe empty
          interleaved shouldBe empty
        }
      } finally {
        firewall.clear()
        senders.close()
        cluster.close()
        target.close()
        db.close()
      }
    }
  }
}

/** iptables rules on the OUTPUT chain (loopback traffic passes it), each dropping matching TCP packets; removed by [[clear]]. */
final class Firewall {
  private val rules = mutable.Buffer.empty[Seq[String]]

  def drop(matches: Seq[Seq[String]]): Unit = matches.foreach { m =>
    val rule = Seq("-p", "tcp") ++ m ++ Seq("-j", "DROP")
    Firewall.iptables(Seq("-I", "OUTPUT") ++ rule)
    rules += rule
  }

  def clear(): Unit = {
    rules.foreach(rule => Firewall.iptables(Seq("-D", "OUTPUT") ++ rule))
    rules.clear()
  }
}

object Firewall {
  /** iptables is installed (`.ci/run` installs it) and may change the rules (root). */
  def available(): Boolean = try { iptables(Seq("-S", "OUTPUT")); true } catch { case e: Exception => println(s"iptables: ${e.getMessage}"); false }

  private[cluster] def iptables(args: Seq[String]): Unit = {
    val process = new ProcessBuilder((Seq("iptables", "-w") ++ args).asJava).redirectErrorStream(true).start()
    val output = new String(process.getInputStream.readAllBytes())
    if (process.waitFor() != 0) throw new IllegalStateException(s"iptables ${args.mkString(" ")}: $output")
  }
}

/** What the journal's own rows say about who wrote each partition. */
object Journal {
  /**
   * The partitions whose events interleave writers: a writer (one incarnation of a partition's actor, `writer` column) whose
   * events come both before and after another writer's. One writer at a time gives runs, each writer once.
   */
  def interleavedWriters(db: PostgresDatabase): Seq[String] = {
    val writers = mutable.LinkedHashMap.empty[String, mutable.Buffer[String]]
    query(db, "SELECT persistence_id, writer FROM event_journal ORDER BY persistence_id, sequence_number") { rs =>
      val runs = writers.getOrElseUpdate(rs.getString(1), mutable.Buffer.empty)
      if (runs.lastOption.forall(_ != rs.getString(2))) runs += rs.getString(2)
    }
    writers.collect { case (id, runs) if runs.distinct.size != runs.size => s"$id: writers ${runs.map(_.take(8)).mkString(" → ")}" }.toSeq
  }

  /** Events written to the partitions named (persistence ids ending so) after `at` (epoch ms). */
  def eventsWrittenAfter(db: PostgresDatabase, at: Long, partitions: Seq[String]): Int = {
    var n = 0
    query(db, s"SELECT persistence_id FROM event_journal WHERE write_timestamp > $at") { rs =>
      if (partitions.exists(p => rs.getString(1).endsWith(p))) n += 1
    }
    n
  }

  private def query(db: PostgresDatabase, sql: String)(row: java.sql.ResultSet => Unit): Unit = {
    val c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, "")
    try {
      val rs = c.createStatement().executeQuery(sql)
      while (rs.next()) row(rs)
    } finally c.close()
  }
}
