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
  /**
   * One ranked entry; {@code idOrder} is its id's first eight bytes, so that ties in score (many
   * posts share a time) are broken without reading the id's bytes from memory.
   */
  record Item(double score, EntryId id, boolean repost, long idOrder) {
    Item(double score, EntryId id, boolean repost) {
      this(score, id, repost, Ranking.idOrder(id));
    }
  }

  /** The order of ids (unsigned bytes, as {@link EntryId#compareTo}) in their first eight bytes. */
  static long idOrder(EntryId id) {
    return java.nio.ByteBuffer.wrap(id.toBytes()).getLong();
  }

  static final Comparator<Item> ORDER =
      (a, b) -> {
        int c = Double.compare(b.score(), a.score()); // High to low (as comparing -score).
        if (c != 0) {
          return c;
        }
        c = Long.compareUnsigned(a.idOrder(), b.idOrder());
        return c != 0 ? c : a.id().compareTo(b.id());
      };

  /**
   * Sorts {@code items} in {@link #ORDER}. A ranking sorts up to the whole window: objects compared
   * through a comparator cost a third of a full ranking, so the score is sorted as a primitive
   * instead. Each key is the score's bits mapped to a signed long in the order of {@link
   * Double#compare}, complemented (high first), its low bits replaced by the item's index; the keys
   * sorted as longs give the order up to those low bits, and each run of items whose keys agree
   * above them (equal or nearly equal scores) is then sorted exactly.
   */
  static void sort(Item[] items) {
    int n = items.length;
    if (n < 1024) {
      Arrays.sort(items, ORDER);
      return;
    }
    int bits = 64 - Long.numberOfLeadingZeros(n - 1);
    long mask = (1L << bits) - 1;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long b = Double.doubleToLongBits(items[i].score());
      long ascending = b ^ ((b >> 63) & Long.MAX_VALUE);
      keys[i] = ((~ascending >> bits) << bits) | i;
    }
    Arrays.sort(keys);
    Item[] sorted = new Item[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = items[(int) (keys[i] & mask)];
    }
    int start = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || (keys[i] >> bits) != (keys[start] >> bits)) {
        if (i - start > 1) {
          Arrays.sort(sorted, start, i, ORDER);
        }
        start = i;
      }
    }
    System.arraycopy(sorted, 0, items, 0, n);
  }

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
