package dev.junction.server.cluster

import com.fasterxml.jackson.databind.{ JsonNode, ObjectMapper }
import dev.junction.server.testing.{ LocalCluster, Partitioning, PostgresDatabase, ServerProcess }

import java.net.URI
import java.net.http.{ HttpClient, HttpRequest, HttpResponse }
import java.nio.file.Path
import java.time.Duration
import scala.jdk.CollectionConverters._

/**
 * Three Junction nodes, each its own JVM started from the test's class path, on one PostgreSQL journal: configured as
 * `cluster-config/start-local-cluster.sh` configures them (nodes 0 and 1 are the seeds), each with its own remoting, HTTP and
 * Pekko Management port. Every wait has a deadline and says what it waited for.
 */
final class ThreeNodes(dir: Path, config: Path, db: PostgresDatabase, ownConfigs: Boolean = false,
    launcher: Int => java.util.List[String] = _ => java.util.List.of()) extends AutoCloseable {
  val size = 3
  // Nine distinct ports: taken while all nine sockets are open (one at a time, the OS may hand the same port out twice).
  private val ports = ThreeNodes.freePorts(3 * size)
  /** The nodes' remoting (Artery) ports. */
  val remoting: Array[Int] = ports.slice(0, size)
  val httpPorts: Array[Int] = ports.slice(size, 2 * size)
  private val mgmtPorts = ports.slice(2 * size, 3 * size)
  private val nodes = new Array[ServerProcess](size)
  private val json = new ObjectMapper()
  // C1 only: on two cores, three C2 compilers warming up at once would take the CPU the load needs for the whole run. A
  // small serial-collected heap: the nodes hold little.
  private val jvmOptions = java.util.List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
  private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()

  def log(i: Int): Path = dir.resolve(s"node-$i.log")

  /**
   * The configuration file node `i` runs: the one given, or with `ownConfigs` a copy of its directory (the file, its schemas
   * and mappings) for each node, as on machines that do not share a disk.
   */
  val configOf: IndexedSeq[Path] = (0 until size).map { i =>
    if (!ownConfigs) config
    else {
      val copy = dir.resolve(s"node-$i-config")
      val source = config.getParent
      val files = java.nio.file.Files.walk(source)
      try files.iterator().asScala.filter(f => java.nio.file.Files.isRegularFile(f) && !f.getFileName.toString.endsWith(".log")
        && !f.startsWith(dir.resolve("node-0-config")) && !f.startsWith(dir.resolve("node-1-config")) && !f.startsWith(dir.resolve("node-2-config")))
        .foreach { f =>
          val target = copy.resolve(source.relativize(f))
          java.nio.file.Files.createDirectories(target.getParent)
          java.nio.file.Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        }
      finally files.close()
      copy.resolve(config.getFileName)
    }
  }

  /**
   * Node `i`'s environment. Nodes 0 and 1 are the seeds, 0 first. A node started again while another runs lists itself last:
   * the first seed joins itself when no other seed answers within the seed-node timeout, and a restarted node 0 did so on a
   * busy machine, forming a cluster of its own beside the running one (FailoverSpec: "members Up: 1").
   */
  private def env(i: Int, othersRunning: Boolean = false): java.util.Map[String, String] = {
    val e = LocalCluster.nodeEnv(db, remoting(0), remoting(i))
    val seeds = Seq(remoting(0), remoting(1))
    val ordered = if (othersRunning) seeds.filterNot(_ == remoting(i)) ++ seeds.filter(_ == remoting(i)) else seeds
    e.put("JUNCTION_SEED_NODES", ordered.map(p => s"127.0.0.1:$p").mkString(","))
    e.put("JUNCTION_MGMT_PORT", mgmtPorts(i).toString)
    e.put("JUNCTION_PEKKO_LOG_LEVEL", "INFO") // membership, downing and shard moves in the node logs
    e
  }

  /**
   * Starts the three JVMs at once and waits until every node sees three members Up, answers `/ready`, and hosts at least
   * `minShards` inbox partitions (sharding moves one shard per 10 s rebalance round to a node that joined late).
   */
  def startAll(minShards: Int): Unit = {
    val started = System.nanoTime()
    for (i <- 0 until size) nodes(i) = ServerProcess.launchOnClassPath(configOf(i), httpPorts(i), env(i), log(i), jvmOptions, launcher(i))
    nodes.foreach(_.awaitHealthy(Duration.ofSeconds(120)))
    for (i <- 0 until size) awaitReady(i, Duration.ofSeconds(90))
    Deadline.await(Duration.ofSeconds(90), s"at least $minShards partitions on every node") {
      (0 until size).forall(i => shardsOn(i).size >= minShards)
    } { () => s"partitions per node: ${(0 until size).map(i => shardsOn(i).size).mkString("/")}" }
    println(f"three nodes Up, ready and balanced (${(0 until size).map(i => shardsOn(i).size).mkString("/")} partitions) in " +
      f"${(System.nanoTime() - started) / 1e9}%.0f s")
  }

  /** Starts node `i` again on its ports and waits for its HTTP listener (not for it to be Up: see [[awaitReady]]). */
  def start(i: Int): Unit = {
    val othersRunning = (0 until size).exists(j => j != i && isAlive(j))
    nodes(i) = ServerProcess.launchOnClassPath(configOf(i), httpPorts(i), env(i, othersRunning), log(i), jvmOptions, launcher(i))
    nodes(i).awaitHealthy(Duration.ofSeconds(90))
  }

  /** Node `i`'s JVM is running (a node the split-brain resolver downed ends its JVM). */
  def isAlive(i: Int): Boolean = nodes(i) != null && nodes(i).isAlive

  /** SIGKILL. */
  def kill(i: Int): Unit = nodes(i).kill()

  /** SIGTERM, and waits for the JVM to end (it leaves the cluster and hands its partitions over first). */
  def terminate(i: Int, timeout: Duration): Int = nodes(i).terminate(timeout)

  /** Node `i` answers `/ready` (Up in the cluster, journal reachable) and sees all three members Up. */
  def awaitReady(i: Int, timeout: Duration): Unit =
    Deadline.await(timeout, s"node $i Up, ready and seeing $size members Up") {
      status(s"http://127.0.0.1:${mgmtPorts(i)}/ready") == 200 && membersUp(i) == size
    } { () => s"ready: ${status(s"http://127.0.0.1:${mgmtPorts(i)}/ready")}, members Up: ${membersUp(i)}; see ${log(i)}" }

  /** How many members node `i` sees Up; -1 if it does not answer. */
  def membersUp(i: Int): Int = get(i, "/cluster/members") match {
    case Some(members) => members.path("members").elements().asScala.count(_.path("status").asText() == "Up")
    case None => -1
  }

  /** How many members node `i` knows in any state (Joining, Up, Leaving, Down...); -1 if it does not answer. */
  def members(i: Int): Int = get(i, "/cluster/members").map(_.path("members").size()).getOrElse(-1)

  /** The node that is oldest (hosting the shard coordinator and the other cluster singletons), as node 0 sees it. */
  def oldest(): Int = get(0, "/cluster/members").map(_.path("oldest").asText()) match {
    case Some(address) => remoting.indexWhere(port => address.endsWith(s":$port"))
    case None => throw new AssertionError(s"node 0 does not list its members; see ${log(0)}")
  }

  /** The sharding shards hosted on node `i` (`/cluster/shards/inbox`), i.e. where its inbox partitions live. */
  def shardsOn(i: Int): Set[String] = get(i, "/cluster/shards/inbox") match {
    case Some(shards) => shards.path("regions").elements().asScala.map(_.path("shardId").asText()).toSet
    case None => throw new AssertionError(s"node $i does not list its shards; see ${log(i)}")
  }

  /** PUT `body` (text) to `path` on node `i`'s HTTP port; the status and the body of the answer. */
  def put(i: Int, path: String, body: String): (Int, String) = {
    val r = client.send(HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:${httpPorts(i)}$path")).timeout(Duration.ofSeconds(60))
      .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain").build(), HttpResponse.BodyHandlers.ofString())
    (r.statusCode(), r.body())
  }

  /** GET `path` from node `i`'s HTTP port (the admin API answers loopback clients); None unless 200. */
  def api(i: Int, path: String): Option[JsonNode] =
    try {
      val r = client.send(HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:${httpPorts(i)}$path")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString())
      if (r.statusCode() == 200) Some(json.readTree(r.body())) else None
    } catch { case _: Exception => None }

  private def get(i: Int, path: String): Option[JsonNode] =
    try {
      val r = client.send(HttpRequest.newBuilder(URI.create(s"http://127.0.0.1:${mgmtPorts(i)}$path")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString())
      if (r.statusCode() == 200) Some(json.readTree(r.body())) else None
    } catch { case _: Exception => None }

  private def status(url: String): Int =
    try client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()
    catch { case _: Exception => -1 }

  /** Kills every JVM still running. */
  override def close(): Unit = nodes.filter(_ != null).foreach(n => try n.close() catch { case _: Exception => () })
}

object ThreeNodes {
  /**
   * Added to the specs' configuration: sharding may move up to 6 shards per 10 s rebalance round (Pekko's default is one), so
   * partitions allocated to the first node Up spread over all three in one round, not in four, before the load starts.
   */
  val FastRebalance = "\npekko.cluster.sharding.least-shard-allocation-strategy { rebalance-absolute-limit = 6, rebalance-relative-limit = 0.5 }\n"

  /** The sharding shard of a partition: Pekko's default extractor, `abs(entityId.hashCode % number-of-shards)` (128 here). */
  def shardOf(integration: String, partition: Int): String = math.abs(s"$integration#$partition".hashCode % 128).toString

  def freePorts(n: Int): Array[Int] = {
    val sockets = Array.fill(n)(new java.net.ServerSocket(0))
    try sockets.map(_.getLocalPort) finally sockets.foreach(_.close())
  }

  /** The partition of a key, as `Inbox.partitionOf`. */
  def partitionOf(key: String, partitions: Int): Int = Partitioning.partitionOf(key, partitions)
}

/** Waits with a deadline; the failure names what was awaited and what was seen last. */
object Deadline {
  def await(timeout: Duration, what: String)(condition: => Boolean)(seen: () => String): Unit = {
    val deadline = System.nanoTime() + timeout.toNanos
    while (!condition) {
      if (System.nanoTime() > deadline) throw new AssertionError(s"gave up after ${timeout.toSeconds} s waiting for $what: ${seen()}")
      Thread.sleep(200)
    }
  }
}
