package org.grapevine.libp2p.gossipsub;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A peer's per-topic score counters, kept so that they iterate in exactly the order a {@code new
 * HashMap<String, V>()} filled by {@code computeIfAbsent} would, at no cost beyond two fields in
 * each counter while there are few.
 *
 * <p>Why the order: the score is a floating-point sum over topics, and a different order can give a
 * different last bit, so a different mesh, so a different simulation. Why not the HashMap: a large
 * simulation holds millions of these maps, most with one or two topics, and the score iterates one
 * on every look-up; starting a HashMap iterator scans its sixteen-slot table, and that was the
 * simulator's largest single cost (15% of bench-10k's samples). Why not two small arrays (as here
 * before): at a million nodes their 90 bytes a peer were 5% of the heap.
 *
 * <p>How: a holder is null (no topic), the first {@link Link} of a chain through the counters
 * themselves, or past {@value #CHAIN_MAX} topics a real HashMap. A default HashMap (never removed
 * from, as here) has 16 buckets until its 13th entry, takes bucket {@code (h ^ h >>> 16) & 15} of a
 * key's hash {@code h}, and iterates bucket by bucket; {@code computeIfAbsent} puts a new key first
 * in its bucket. While there are at most {@value #CHAIN_MAX} entries (too few for a bucket to reach
 * the eight at which computeIfAbsent resizes the table or grows a tree) the chain is kept sorted by
 * bucket, a new link first among its bucket's. Past that the links are put, in chain order, into a
 * HashMap, which so gets the same buckets in the same order and goes on as the old map did. No
 * removal. Not thread-safe.
 */
final class ScoredTopics {
  static final int CHAIN_MAX = 7;

  private static final int BUCKETS = 16;

  private ScoredTopics() {}

  /** One topic's counters, a member of its peer's chain. */
  abstract static class Link<L extends Link<L>> {
    final String topic;

    /** The next topic's, in HashMap order; unused once the holder is a HashMap. */
    L next;

    Link(String topic) {
      this.topic = topic;
    }
  }

  /** One topic's term of a sum at a time; a field, not a lambda per call (no allocation). */
  interface Term<L> {
    double at(String topic, L link, long nowNanos);
  }

  static int size(Object holder) {
    if (holder instanceof Map<?, ?> big) {
      return big.size();
    }
    int n = 0;
    for (Link<?> l = (Link<?>) holder; l != null; l = l.next) {
      n++;
    }
    return n;
  }

  /**
   * The link of {@code topic}, or null. On a HashMap holder this is a {@code computeIfAbsent} that
   * adds nothing: the old map was asked by computeIfAbsent on every access, which resizes a full
   * table before it looks, and so must this, for the order to stay the same.
   */
  @SuppressWarnings("unchecked") // A holder holds Ls only.
  static <L extends Link<L>> L get(Object holder, String topic) {
    if (holder instanceof Map<?, ?> big) {
      return ((Map<String, L>) big).computeIfAbsent(topic, k -> null);
    }
    for (L l = (L) holder; l != null; l = l.next) {
      if (l.topic.equals(topic)) {
        return l;
      }
    }
    return null;
  }

  /**
   * Adds {@code link}, whose topic the holder must not have yet ({@link #get} first), and returns
   * the holder to keep from now on.
   */
  @SuppressWarnings("unchecked") // A holder holds Ls only.
  static <L extends Link<L>> Object add(Object holder, L link) {
    if (holder instanceof Map<?, ?> m) {
      ((Map<String, L>) m).computeIfAbsent(link.topic, k -> link);
      return holder;
    }
    L head = (L) holder;
    if (size(head) == CHAIN_MAX) {
      HashMap<String, L> big = new HashMap<>();
      for (L l = head; l != null; ) {
        L next = l.next;
        big.put(l.topic, l);
        l.next = null;
        l = next;
      }
      big.computeIfAbsent(link.topic, k -> link);
      return big;
    }
    int bucket = bucket(link.topic);
    if (head == null || bucket(head.topic) >= bucket) {
      link.next = head;
      return link;
    }
    L before = head;
    while (before.next != null && bucket(before.next.topic) < bucket) {
      before = before.next;
    }
    link.next = before.next;
    before.next = link;
    return head;
  }

  @SuppressWarnings("unchecked") // A holder holds Ls only.
  static <L extends Link<L>> void forEach(Object holder, Consumer<L> action) {
    if (holder instanceof Map<?, ?> big) {
      ((Map<String, L>) big).values().forEach(action);
      return;
    }
    for (L l = (L) holder; l != null; l = l.next) {
      action.accept(l);
    }
  }

  /** {@code Σ term(topic, link, nowNanos)}, added up in iteration order. */
  @SuppressWarnings("unchecked") // A holder holds Ls only.
  static <L extends Link<L>> double sum(Object holder, Term<L> term, long nowNanos) {
    double sum = 0;
    if (holder instanceof Map<?, ?> big) {
      for (L l : ((Map<String, L>) big).values()) {
        sum += term.at(l.topic, l, nowNanos);
      }
      return sum;
    }
    for (L l = (L) holder; l != null; l = l.next) {
      sum += term.at(l.topic, l, nowNanos);
    }
    return sum;
  }

  /** HashMap's bucket for a key while it has {@value #BUCKETS} of them. */
  private static int bucket(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (BUCKETS - 1);
  }
}
