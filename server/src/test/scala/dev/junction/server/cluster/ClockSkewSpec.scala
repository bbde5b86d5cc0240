package dev.junction.server.cluster

import com.fasterxml.jackson.databind.ObjectMapper
import dev.junction.server.testing.{ Effects, PostgresDatabase, RecordingTarget, TestConfig }
import org.scalatest.GivenWhenThen
import org.scalatest.featurespec.AnyFeatureSpec
import org.scalatest.matchers.should.Matchers

import java.net.URI
import java.net.http.{ HttpClient, HttpRequest, HttpResponse }
import java.nio.charset.StandardCharsets
import java.nio.file.{ Files, Path }
import java.time.{ Duration, ZonedDateTime }
import java.time.format.DateTimeFormatter
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.{ ConcurrentHashMap, ConcurrentLinkedQueue, Executors, TimeUnit }
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import scala.jdk.CollectionConverters._

/**
 * Acceptance (#17): a node's clock 2 minutes off. Three nodes on one PostgreSQL journal, node 1's wall clock 120 s ahead and
 * node 2's 120 s behind (libfaketime). Signed webhooks (Standard
 * Webhooks, 5 minutes' tolerance) with per-key ordering arrive at all three, each key's events at one node after another,
 * some sent again to another node, while the target fails for a while. Nothing is lost, no key becomes two messages, each
 * key is delivered in the order accepted, every refused delivery is retried until it lands, and the signatures the skewed
 * nodes check against their own clocks are accepted.
 *
 * The dedup window is 3 minutes here, shorter than the 4 minutes between the two skewed clocks: an edge of the window that
 * moved with the clock of the node a message came in through would show as a duplicate effect within the test (with the 7 day
 * default it moves by the same 4 minutes, out of a test's reach).
 */
class ClockSkewSpec extends AnyFeatureSpec with GivenWhenThen with Matchers {
  private val LibFakeTime = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
  private val Skew = Array(0, 120, -120) // seconds, per node
  private val Keys = 30
  private val EventsPerKey = 10
  private val Path_ = "/webhooks/orders"
  private val Secret = "whsec_" + java.util.Base64.getEncoder.encodeToString("a-secret-for-the-clock-skew-spec".getBytes(StandardCharsets.UTF_8))
  private val json = new ObjectMapper()
  private val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build()

  Feature("A node's clock 2 minutes off") {
    Scenario("nodes at +120 s and -120 s: dedup, per-key order, retries and signature tolerance hold") {
      withClue(s"$LibFakeTime is missing: apt-get install faketime (.ci/run installs it): ") { Files.isRegularFile(LibFakeTime) shouldBe true }
      Given("three nodes on one PostgreSQL journal, node 1's clock 120 s ahead and node 2's 120 s behind (libfaketime)")
      val db = PostgresDatabase.create()
      @volatile var targetFails = true
      val target = new RecordingTarget(16).respondWith((_, _) => if (targetFails) 503 else 200)
      val dir = Files.createTempDirectory("clock-skew-spec")
      val config = TestConfig.write(dir, ClockSkewSpec.config(target.baseUrl(), Secret) + ThreeNodes.FastRebalance)
      // The monotonic clock moves by the same constant, which changes no duration. Leaving it alone
      // (FAKETIME_DONT_FAKE_MONOTONIC=1) made a JVM start 10 times slower here; no shared memory between faked processes.
      val skewed = (i: Int) =>
        if (Skew(i) == 0) java.util.List.of[String]()
        else java.util.List.of("env", s"LD_PRELOAD=$LibFakeTime", f"FAKETIME=${Skew(i)}%+ds", "FAKETIME_DISABLE_SHM=1")
      val cluster = new ThreeNodes(dir, config, db, launcher = skewed)
      try {
        cluster.startAll(minShards = 2)

        Then("each node's clock is off by its skew, as its HTTP Date header shows")
        for (i <- 0 until cluster.size) {
          val offset = clockOffset(cluster.httpPorts(i))
          println(s"clock skew: node $i answers with a Date ${offset} s from the test's clock (skew ${Skew(i)} s)")
          withClue(s"node $i's Date header is $offset s from the test's clock: ") { math.abs(offset - Skew(i)) should be <= 3L }
        }

        And("each node checks a signature's age against its own clock: signed 250 s ago, too old for the node 120 s ahead only")
        val now = System.currentTimeMillis() / 1000
        val probe = Event("probe", 0)
        val probeAnswers = Seq(1, 2, 0).map(i => i -> postUntilAnswered(cluster.httpPorts(i), probe, now - 250))
        probeAnswers.foreach { case (i, r) => println(s"clock skew: probe signed 250 s ago, node $i answered ${r.statusCode()} ${r.body()}") }
        probeAnswers.head._2.statusCode() shouldBe 401
        probeAnswers.head._2.body() should include("old")
        Set(202, 200) should contain(probeAnswers(1)._2.statusCode()) // 200: a retry of a write that committed after its 503

        When(s"$Keys order keys with $EventsPerKey events each arrive signed, each key's events one after another at node 0, 1, 2, " +
          "0..., while the target answers 503; every third event is sent again to the next node")
        val order = new ConcurrentHashMap[String, java.util.List[String]]()
        val messageIdOf = new ConcurrentHashMap[String, String]()
        val problems = new ConcurrentLinkedQueue[String]()
        if (probeAnswers(2)._2.statusCode() != 200 || idIn(probeAnswers(2)._2.body()) != idIn(probeAnswers(1)._2.body()))
          problems.add(s"${probe.id} sent again to node 0: ${probeAnswers(2)._2.statusCode()} ${probeAnswers(2)._2.body()} " +
            s"(first accepted as ${idIn(probeAnswers(1)._2.body())} through node 2)")
        val answers = new ConcurrentHashMap[Int, AtomicInteger]()
        val redelivered = new AtomicInteger()
        val acknowledged = new AtomicInteger()
        val pool = Executors.newFixedThreadPool(10)
        val started = System.nanoTime()
        val sent = (0 until Keys).map { k =>
          pool.submit(new Runnable {
            def run(): Unit = for (i <- 1 to EventsPerKey) {
              val event = Event(f"k$k%02d", i)
              val node = (k + i) % cluster.size
              val (first, id) = deliver(cluster.httpPorts, node, event, answers)
              first match {
                case 202 => ()
                case 200 => () // a retry of a write that committed after its 503
                case other => problems.add(s"${event.id}: $other")
              }
              order.computeIfAbsent(event.key, _ => new java.util.concurrent.CopyOnWriteArrayList[String]()).add(event.id)
              messageIdOf.put(event.id, id)
              // the target recovers once half the events are in: the keys' heads waited in retries until then
              if (acknowledged.incrementAndGet() == Keys * EventsPerKey / 2) targetFails = false
              if (i % 3 == 0) {
                val again = postUntilAnswered(cluster.httpPorts((node + 1) % cluster.size), event, System.currentTimeMillis() / 1000)
                redelivered.incrementAndGet()
                val againId = idIn(again.body())
                if (again.statusCode() != 200 || againId != id)
                  problems.add(s"${event.id} sent again to node ${(node + 1) % cluster.size}: ${again.statusCode()} ${again.body()} " +
                    s"(first accepted as $id through node $node)")
              }
            }
          })
        }
        sent.foreach(_.get(120, TimeUnit.SECONDS))
        pool.shutdown()
        val sending = (System.nanoTime() - started) / 1e9
        targetFails = false

        Then("every event is delivered, each key as one message (counted per key and per message id)")
        val all = order.values().asScala.flatMap(_.asScala).toSeq :+ probe.id
        messageIdOf.put(probe.id, idIn(probeAnswers(1)._2.body()))
        Effects.awaitDelivered(target, all.asJavaCollection, Duration.ofSeconds(60))
        val effects = Effects.of(all.asJavaCollection, target)
        withClue(s"$effects: ") {
          effects.lost.asScala shouldBe empty
          effects.duplicateEffects.asScala shouldBe empty
        }
        val wrongIds = all.filter(k => target.messageIds(k).asScala != Set(messageIdOf.get(k)))
        withClue("keys delivered under another message id than the one acknowledged: " +
          wrongIds.take(5).map(k => s"$k: ${target.messageIds(k)} acknowledged as ${messageIdOf.get(k)}").mkString(", ")) {
          wrongIds shouldBe empty
        }
        val deliveredIds = all.flatMap(k => target.messageIds(k).asScala)
        withClue("message ids delivered, and distinct ones: ") { (deliveredIds.size, deliveredIds.distinct.size) shouldBe ((all.size, all.size)) }

        And("each key in the order its events were accepted: no attempt of an event before its predecessor was applied")
        val violations = Effects.orderViolations(target, order)
        withClue(s"${violations.size} order violations, e.g. ${violations.asScala.take(3)}: ") { violations.asScala shouldBe empty }

        And("the deliveries the target refused were retried until they landed: none dead-lettered")
        val refused = target.answers().asScala.filter(_.status() == 503).map(_.key()).toSet
        refused should not be empty
        refused.filterNot(k => target.successes(k) > 0) shouldBe empty
        val deadLetters = cluster.api(0, "/api/v1/dead-letters?integration=orders").map(_.path("items").size())
        deadLetters shouldBe Some(0)

        And("every event was acknowledged (202), every event sent again was answered as a duplicate of the same message (200)")
        withClue(s"${problems.size} problems: ${problems.asScala.take(5).mkString("; ")}: ") { problems.asScala shouldBe empty }

        val figures = f"clock skew: ${all.size} events (${Keys} keys x $EventsPerKey + the probe) sent in $sending%.1f s over nodes " +
          s"skewed ${Skew.mkString("/")} s; answers ${answers.asScala.toSeq.sortBy(_._1).map { case (s, n) => s"$s: $n" }.mkString(", ")}; " +
          s"${redelivered.get} sent again to another node, all answered 200 with the original id; ${refused.size} events refused by " +
          s"the target ${target.answers().asScala.count(_.status() == 503)} times and retried until delivered; $effects; 0 order violations"
        info(figures)
        println(figures)
      } finally {
        cluster.close()
        target.close()
        db.close()
      }
    }
  }

  /** One event: its idempotency key (the webhook-id), its partition key (the order) and its body. */
  private case class Event(key: String, n: Int) {
    val id: String = s"$key-$n"
    val body: String = s"""{"orderId":"$key","event":$n}"""
  }

  /**
   * Sends `event` to `node` until it is acknowledged, on a refusal (503) or no answer again 250 ms later to the next node,
   * signed anew each time as a sender's retry is. The first answer that is neither, and the message id answered.
   */
  private def deliver(ports: Array[Int], node: Int, event: Event, answers: ConcurrentHashMap[Int, AtomicInteger]): (Int, String) = {
    val deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos
    var to = node
    while (true) {
      val status = try {
        val r = post(ports(to), event, System.currentTimeMillis() / 1000)
        if (r.statusCode() == 202 || r.statusCode() == 200) {
          answers.computeIfAbsent(r.statusCode(), _ => new AtomicInteger()).incrementAndGet()
          return (r.statusCode(), idIn(r.body()))
        }
        r.statusCode()
      } catch { case _: java.io.IOException => -1 }
      answers.computeIfAbsent(status, _ => new AtomicInteger()).incrementAndGet()
      if (status != 503 && status != -1) return (status, "")
      if (System.nanoTime() > deadline) return (status, "")
      Thread.sleep(250)
      to = (to + 1) % ports.length
    }
    throw new IllegalStateException("unreachable")
  }

  /** Posts `event` to one node until it answers other than 503 (a journal write not confirmed in time), for at most 30 s. */
  private def postUntilAnswered(port: Int, event: Event, timestamp: Long): HttpResponse[String] = {
    val deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos
    var r = post(port, event, timestamp)
    while (r.statusCode() == 503 && System.nanoTime() < deadline) {
      Thread.sleep(250)
      r = post(port, event, timestamp)
    }
    r
  }

  private def post(port: Int, event: Event, timestamp: Long): HttpResponse[String] =
    client.send(HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:$port$Path_")).timeout(Duration.ofSeconds(10))
      .header("Content-Type", "application/json").header("webhook-id", event.id)
      .header("webhook-timestamp", timestamp.toString).header("webhook-signature", ClockSkewSpec.sign(Secret, event.id, timestamp, event.body))
      .POST(HttpRequest.BodyPublishers.ofString(event.body)).build(), HttpResponse.BodyHandlers.ofString())

  private def idIn(body: String): String = try json.readTree(body).path("messageId").asText("") catch { case _: Exception => "" }

  /** The node's clock minus the test's, in seconds, from the Date header of its answer (whole seconds: +/- 1). */
  private def clockOffset(port: Int): Long = {
    val before = System.currentTimeMillis()
    val r = client.send(HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:$port/health")).timeout(Duration.ofSeconds(5)).build(),
      HttpResponse.BodyHandlers.discarding())
    val after = System.currentTimeMillis()
    val date = r.headers().firstValue("Date").orElseThrow(() => new AssertionError(s"no Date header from port $port"))
    val nodeMillis = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant.toEpochMilli
    math.round((nodeMillis - (before + after) / 2) / 1000.0)
  }
}

object ClockSkewSpec {
  /** One integration: signed webhooks at `orders`, ordered per `orderId`, to a target retried for as long as it fails. */
  def config(targetUrl: String, secret: String): String =
    s"""
      |junction {
      |  http.port = 0
      |  node.port = 0
      |  inbox.dedup-window = 3m
      |  systems {
      |    shop { connector = http }
      |    erp {
      |      connector = http
      |      base-url = "$targetUrl"
      |      resilience {
      |        retry { max-attempts = 1000, min-backoff = 50ms, max-backoff = 500ms }
      |        circuit-breaker { max-failures = 5, reset-timeout = 250ms, max-reset-timeout = 1s }
      |      }
      |    }
      |  }
      |  integrations {
      |    orders {
      |      ordering = per-key
      |      partition-key = "json:/orderId"
      |      source { system = shop, webhook { path = "orders", idempotency-key = "header:webhook-id",
      |        verify { scheme = standard-webhooks, secrets = [ "$secret" ], tolerance = 5m } } }
      |      targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
      |    }
      |  }
      |}
      |""".stripMargin

  /** The Standard Webhooks signature, computed from the spec, independently of the server's code. */
  def sign(secret: String, id: String, timestamp: Long, body: String): String = {
    val mac = Mac.getInstance("HmacSHA256")
    mac.init(new SecretKeySpec(java.util.Base64.getDecoder.decode(secret.stripPrefix("whsec_")), "HmacSHA256"))
    "v1," + java.util.Base64.getEncoder.encodeToString(mac.doFinal(s"$id.$timestamp.$body".getBytes(StandardCharsets.UTF_8)))
  }
}
