package org.grapevine.node.feeds;

import java.util.Arrays;
import java.util.Comparator;
import org.grapevine.protocol.entry.EntryId;

/**
 * One feed ranked at one moment: its passing candidates in order (score high to low, then entry id
 * low to high, so the order is total), and what it was made against ({@code now}, {@code asOf}
 * arrival, graph version, the hidden identities). A cursor names a place in it by (score, id).
 */
final class Ranking {
  /** One ranked entry. */
  record Item(double score, EntryId id, boolean repost) {}

  static final Comparator<Item> ORDER =
      Comparator.comparingDouble((Item i) -> -i.score()).thenComparing(Item::id);

  final long now;
  final long asOf;
  final long graphVersion;
  final int hiddenHash;
  final Item[] items;
  final int candidates;
  final int failures;
  final boolean truncated;

  Ranking(
      long now,
      long asOf,
      long graphVersion,
      int hiddenHash,
      Item[] sortedItems,
      int candidates,
      int failures,
      boolean truncated) {
    this.now = now;
    this.asOf = asOf;
    this.graphVersion = graphVersion;
    this.hiddenHash = hiddenHash;
    this.items = sortedItems;
    this.candidates = candidates;
    this.failures = failures;
    this.truncated = truncated;
  }

  /** The index of the first item after (score, id) in the order. */
  int after(double score, EntryId id) {
    int i = Arrays.binarySearch(items, new Item(score, id, false), ORDER);
    return i >= 0 ? i + 1 : -i - 1;
  }
}
