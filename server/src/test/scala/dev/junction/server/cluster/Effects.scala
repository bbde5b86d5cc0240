package dev.junction.server.cluster

import dev.junction.server.testing.RecordingTarget

/**
 * What the target saw of the acknowledged keys. An effect is duplicated when one key reached the target as two different
 * messages (two Junction message ids or two bodies): the inbox then accepted it twice, and no target could tell. The same
 * message delivered again with its key (at-least-once after a crash) is one effect at a target that honours the key; it is
 * counted in `redelivered`.
 *
 * @param lost              acknowledged keys the target never applied
 * @param duplicateEffects  keys that arrived as more than one message
 * @param redelivered       keys delivered successfully more than once, always as the same message
 */
final case class Effects(acknowledged: Int, lost: Seq[String], duplicateEffects: Seq[String], redelivered: Seq[String]) {
  override def toString: String =
    s"$acknowledged acknowledged, ${lost.size} lost, ${duplicateEffects.size} duplicate effects, ${redelivered.size} delivered again " +
      s"(same message, same key)" + (if (lost.nonEmpty) s"; lost e.g. ${lost.take(5).mkString(", ")}" else "") +
      (if (duplicateEffects.nonEmpty) s"; duplicated e.g. ${duplicateEffects.take(5).mkString(", ")}" else "")
}

object Effects {
  /** Waits until the target has applied every key. */
  def awaitDelivered(target: RecordingTarget, keys: Iterable[String], timeout: java.time.Duration): Unit =
    Deadline.await(timeout, "every acknowledged key delivered")(keys.forall(target.successes(_) > 0)) { () =>
      s"${keys.count(target.successes(_) == 0)} acknowledged keys not delivered, e.g. ${keys.filter(target.successes(_) == 0).take(3).mkString(", ")}"
    }

  def of(acknowledged: Iterable[String], target: RecordingTarget): Effects = {
    val keys = acknowledged.toSeq.sorted
    Effects(
      keys.size,
      lost = keys.filter(target.successes(_) == 0),
      duplicateEffects = keys.filter(k => target.messageIds(k).size > 1 || target.bodies(k).size > 1),
      redelivered = keys.filter(target.successes(_) > 1))
  }
}
