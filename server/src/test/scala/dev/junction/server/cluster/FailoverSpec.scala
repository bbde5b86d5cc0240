package dev.junction.server.cluster

import dev.junction.server.testing.{ Await, LocalCluster, PostgresDatabase, RecordingTarget, ServerProcess, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.net.URI
import java.net.http.{ HttpClient, HttpRequest, HttpResponse }
import java.nio.file.{ Files, Path }
import java.time.Duration
import java.util.concurrent.{ ConcurrentHashMap, ConcurrentLinkedQueue, Executors, Semaphore, TimeUnit }
import scala.jdk.CollectionConverters._

/**
 * Acceptance: three nodes on one PostgreSQL journal lose one node to SIGKILL under load and get it back; every acknowledged
 * message is delivered and applied once, and deliveries of the killed node's partitions resume within 30 s.
 */
class FailoverSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val Messages = 20000
  private val RatePerSecond = 400
  private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()

  Feature("A node of three crashes under load") {
    Scenario("SIGKILL one node at 30 % of the messages and restart it at 60 %: nothing lost, nothing applied twice") {
      Given("three nodes on one PostgreSQL journal and a target that applies each key once")
      val db = PostgresDatabase.create()
      val target = new RecordingTarget()
      val dir = Files.createTempDirectory("failover-spec")
      val config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(), "") + "\npekko.cluster.min-nr-of-members = 3\n")
      val remoting = Array.fill(3)(LocalCluster.freePort())
      val http = Array.fill(3)(LocalCluster.freePort())
      def env(i: Int): java.util.Map[String, String] = {
        val e = LocalCluster.nodeEnv(db, remoting(0), remoting(i))
        e.put("JUNCTION_SEED_NODES", s"127.0.0.1:${remoting(0)},127.0.0.1:${remoting(1)}")
        e
      }
      def start(i: Int) = ServerProcess.start(config, http(i), env(i), dir.resolve(s"node-$i.log"))
      val nodes = Array.tabulate[ServerProcess](3)(start)
      try {
        val acknowledgedAt = new ConcurrentHashMap[String, java.lang.Long]()
        def acknowledged = acknowledgedAt.keySet()
        val down = new java.util.concurrent.atomic.AtomicInteger(-1)

        When(s"$Messages messages arrive at $RatePerSecond/s, spread over the nodes, the senders retrying refusals elsewhere")
        val senders = Executors.newFixedThreadPool(8)
        val inFlight = new Semaphore(64)
        val retries = new ConcurrentLinkedQueue[String]()
        def send(key: String, attempt: Int): Unit = {
          val live = (0 until 3).filter(_ != down.get)
          val node = live(((key.hashCode & Int.MaxValue) + attempt) % live.size)
          val request = HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:${http(node)}/webhooks/webshop/orders"))
            .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json").header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order(key))).build()
          val status = try client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() catch { case _: Exception => -1 }
          if (status == 202 || status == 200) acknowledgedAt.put(key, System.currentTimeMillis()) else retries.add(key)
        }
        var killedAt = 0L
        val started = System.nanoTime()
        for (i <- 0 until Messages) {
          if (i == Messages * 3 / 10) {
            And("node 3 is killed at 30 %")
            nodes(2).kill(); down.set(2); killedAt = System.currentTimeMillis()
          }
          if (i == Messages * 6 / 10) {
            And("node 3 is started again at 60 %")
            nodes(2) = start(2); down.set(-1)
          }
          val due = started + i.toLong * 1000000000L / RatePerSecond
          val wait = due - System.nanoTime()
          if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait)
          inFlight.acquire()
          val key = s"order-$i"
          senders.execute(() => try send(key, 0) finally inFlight.release())
        }
        senders.shutdown(); senders.awaitTermination(60, TimeUnit.SECONDS)
        var round = 1
        while (!retries.isEmpty && round < 20) {
          val again = Iterator.continually(retries.poll()).takeWhile(_ != null).toList
          again.foreach(k => send(k, round))
          round += 1
        }

        Then("every message is acknowledged in the end, and every acknowledged one is delivered")
        acknowledged.size shouldBe Messages
        Await.until(Duration.ofSeconds(120), () => target.applied().containsAll(acknowledged),
          () => s"${acknowledged.asScala.count(k => !target.applied().contains(k))} acknowledged keys not delivered")

        And("each was applied once, with one body")
        target.applied().size shouldBe Messages
        acknowledged.asScala.foreach(k => target.bodies(k).size shouldBe 1)
        val twice = acknowledged.asScala.count(k => target.successes(k) > 1)

        And("deliveries of the killed node's partitions resumed within 30 s of the kill")
        val afterKill: Seq[Long] = target.answers().asScala.toSeq.filter(a => a.at() >= killedAt && a.status() == 200).map(_.at()).sorted
        val longestGap: Long = afterKill.zip(afterKill.drop(1)).map { case (a, b) => b - a }.maxOption.getOrElse(0L)
        // Acknowledged before the kill, delivered after it: among them the envelopes that waited in the killed node's partitions.
        val pendingAtKill = acknowledged.asScala.filter(k => acknowledgedAt.get(k) < killedAt && target.firstSuccessAt(k) > killedAt)
        val resumed = pendingAtKill.map(k => target.firstSuccessAt(k).longValue - killedAt).maxOption.getOrElse(0L)
        val figures = f"failover: $Messages acknowledged, $twice delivered again (same key, one effect), longest pause in deliveries " +
          f"$longestGap ms, last message pending at the kill delivered ${resumed / 1000.0}%.1f s after it"
        info(figures)
        println(figures)
        resumed should be <= 30000L
      } finally {
        nodes.foreach(n => try n.close() catch { case _: Exception => () })
        target.close()
        db.close()
      }
    }
  }
}
