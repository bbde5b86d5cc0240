package dev.junction.server.cluster

import dev.junction.server.testing.TestConfig

import java.net.URI
import java.net.http.{ HttpClient, HttpRequest, HttpResponse }
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.{ ConcurrentHashMap, ConcurrentLinkedQueue, Executors, Semaphore, TimeUnit }
import scala.jdk.CollectionConverters._

/**
 * Webhook senders as a real one behaves: each key is sent once to a node (round robin), and a key refused (503) or not
 * answered (connection refused or reset, 10 s timeout) is sent again 250 ms later to the next node, with the same key and body,
 * until it is acknowledged (202, or 200 for a duplicate of a write that committed after its 503). Keys are therefore pending
 * wherever the cluster is in trouble, as they would be in production.
 *
 * Requests in flight are bounded (new keys and retries separately, so retries cannot starve the steady rate of new keys), and
 * every request has a timeout, so nothing waits forever.
 */
final class Senders(httpPorts: Array[Int], path: String) extends AutoCloseable {
  private val pool = Executors.newFixedThreadPool(2)
  private val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).executor(pool).build()
  private val scheduler = Executors.newSingleThreadScheduledExecutor()
  private val retrier = Executors.newSingleThreadExecutor()
  private val newKeys = new Semaphore(256)
  private val retries = new Semaphore(512)
  @volatile private var closed = false

  /** When each key was acknowledged (epoch ms). */
  val acknowledgedAt = new ConcurrentHashMap[String, java.lang.Long]()
  /** Answers by status; -1: no answer (connection refused or reset, timeout). */
  val answers = new ConcurrentHashMap[Int, AtomicInteger]()
  /** Every answer other than 202, 200, 503 and "no answer", with its key: none is expected. */
  val unexpected = new ConcurrentLinkedQueue[String]()
  /** Keys that needed more than one request. */
  val retried: java.util.Set[String] = ConcurrentHashMap.newKeySet[String]()
  /** Every request and its answer. */
  val log = new ConcurrentLinkedQueue[Attempt]()

  /** Sends `key` to node `node` (blocks while 256 new keys are in flight). */
  def send(key: String, node: Int): Unit = {
    newKeys.acquire()
    attempt(key, node % httpPorts.length, newKeys)
  }

  /**
   * Sends `keys` at `ratePerSecond`, key `i` to node `i % nodes`, until they are all sent or `until()` holds; `at(i)` runs
   * before key `i` is sent (on another thread, so a slow action such as restarting a node does not hold the senders back; an
   * action that fails fails the call). Returns the keys sent and the rate achieved.
   */
  def sendSteadily(keys: IndexedSeq[String], ratePerSecond: Int, at: Map[Int, () => Unit], until: () => Boolean = () => false): Sent = {
    val actions = Executors.newSingleThreadExecutor()
    val pending = new java.util.ArrayList[java.util.concurrent.Future[_]]()
    val started = System.nanoTime()
    var i = 0
    try {
      while (i < keys.size && !until()) {
        at.get(i).foreach(action => pending.add(actions.submit(new Runnable { def run(): Unit = action() })))
        val wait = started + i.toLong * 1000000000L / ratePerSecond - System.nanoTime()
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait)
        send(keys(i), i)
        i += 1
      }
      val seconds = (System.nanoTime() - started) / 1e9
      pending.asScala.foreach(_.get(180, TimeUnit.SECONDS))
      Sent(keys.take(i), i / seconds)
    } finally actions.shutdownNow()
  }

  private def attempt(key: String, node: Int, permits: Semaphore): Unit = {
    val request = HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:${httpPorts(node)}$path"))
      .timeout(Duration.ofSeconds(10))
      .header("Content-Type", "application/json")
      .header("Idempotency-Key", key)
      .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order(key)))
      .build()
    val sent = System.currentTimeMillis()
    client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete { (response, failure) =>
      permits.release()
      val status = if (failure != null) -1 else response.statusCode()
      val now = System.currentTimeMillis()
      log.add(Attempt(sent, now, key, node, status))
      answers.computeIfAbsent(status, _ => new AtomicInteger()).incrementAndGet()
      status match {
        case 202 | 200 => acknowledgedAt.putIfAbsent(key, now)
        case 503 | -1 => retry(key, (node + 1) % httpPorts.length)
        case other => unexpected.add(s"$key: $other")
      }
    }
  }

  private def retry(key: String, node: Int): Unit = if (!closed) {
    retried.add(key)
    scheduler.schedule(new Runnable {
      def run(): Unit = retrier.execute { () =>
        try {
          retries.acquire()
          if (closed) retries.release() else attempt(key, node, retries)
        } catch { case _: InterruptedException => () } // closed
      }
    }, 250, TimeUnit.MILLISECONDS)
  }

  /**
   * Sends `perNode` orders to each node (keys `warm-up-<node>-<i>`, which no spec sends) until all are acknowledged, then
   * forgets their answers. The first requests to freshly started JVMs are slow (classes loading, code compiling, partitions
   * starting: answers took 6 s on two busy cores), which is not what a spec that starts its load afterwards measures.
   */
  def warmUp(perNode: Int = 100, timeout: Duration = Duration.ofSeconds(90)): Unit = {
    val keys = for (node <- httpPorts.indices; i <- 0 until perNode) yield {
      val key = f"warm-up-$node-$i%04d"
      send(key, node)
      key
    }
    awaitAcknowledged(keys, timeout)
    log.clear()
    answers.clear()
    retried.clear()
    acknowledgedAt.clear()
  }

  def unacknowledged(keys: Iterable[String]): Iterable[String] = keys.filterNot(acknowledgedAt.containsKey)

  /** Waits until every key is acknowledged (the senders keep retrying the others). */
  def awaitAcknowledged(keys: Iterable[String], timeout: Duration): Unit =
    Deadline.await(timeout, "every key acknowledged") {
      // A key answered anything but 202, 200 or 503 is not sent again: fail at once, naming the answers.
      if (!unexpected.isEmpty) throw new AssertionError(s"unexpected answers (not retried): ${unexpected.asScala.take(5).mkString(", ")}")
      unacknowledged(keys).isEmpty
    } { () =>
      s"${unacknowledged(keys).size} keys not acknowledged, e.g. ${unacknowledged(keys).take(3).mkString(", ")}; answers: $summary"
    }

  def count(status: Int): Int = Option(answers.get(status)).map(_.get).getOrElse(0)

  def summary: String = answers.asScala.toSeq.sortBy(_._1).map { case (s, n) => s"${if (s < 0) "no answer" else s}: $n" }.mkString(", ")

  override def close(): Unit = {
    closed = true
    scheduler.shutdownNow()
    retrier.shutdownNow()
    pool.shutdownNow()
  }
}

/** The keys a run sent, and the rate it achieved (keys per second). */
final case class Sent(keys: IndexedSeq[String], ratePerSecond: Double)

/** One request: when it was sent and answered (epoch ms), its key, the node it went to, and the answer (-1: none). */
final case class Attempt(sentAt: Long, answeredAt: Long, key: String, node: Int, status: Int)
