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
   * through a comparator (reading each item, then each id, from memory) cost a third of a full
   * ranking, so the order is computed over primitive keys instead: the score's bits mapped to a
   * signed long in the order of {@link Double#compare} and complemented (high first), then the id's
   * first eight bytes (scores tie often: a score such as a count of reactions ties thousands of
   * posts), then, when those are equal too, the id itself. A merge sort of indices over those keys.
   */
  static void sort(Item[] items) {
    int n = items.length;
    if (n < 64) {
      Arrays.sort(items, ORDER);
      return;
    }
    long[] score = new long[n];
    long[] id = new long[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      long b = Double.doubleToLongBits(items[i].score());
      score[i] = ~(b ^ ((b >> 63) & Long.MAX_VALUE));
      id[i] = items[i].idOrder() ^ Long.MIN_VALUE; // Unsigned order as signed.
      order[i] = i;
    }
    new IndexSort(score, id, items).sort(order, new int[n], 0, n);
    Item[] sorted = new Item[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = items[order[i]];
    }
    System.arraycopy(sorted, 0, items, 0, n);
  }

  /** A merge sort of indices by (score key, id key, id). */
  private static final class IndexSort {
    private final long[] score;
    private final long[] id;
    private final Item[] items;

    IndexSort(long[] score, long[] id, Item[] items) {
      this.score = score;
      this.id = id;
      this.items = items;
    }

    int compare(int a, int b) {
      int c = Long.compare(score[a], score[b]);
      if (c == 0) {
        c = Long.compare(id[a], id[b]);
      }
      return c != 0 ? c : items[a].id().compareTo(items[b].id());
    }

    void sort(int[] x, int[] tmp, int from, int to) {
      if (to - from <= 24) {
        for (int i = from + 1; i < to; i++) {
          int v = x[i];
          int j = i - 1;
          for (; j >= from && compare(x[j], v) > 0; j--) {
            x[j + 1] = x[j];
          }
          x[j + 1] = v;
        }
        return;
      }
      int mid = (from + to) >>> 1;
      sort(x, tmp, from, mid);
      sort(x, tmp, mid, to);
      if (compare(x[mid - 1], x[mid]) <= 0) {
        return; // Already in order (a carried-over ranking often is).
      }
      System.arraycopy(x, from, tmp, from, to - from);
      int i = from;
      int j = mid;
      for (int k = from; k < to; k++) {
        x[k] = j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0) ? tmp[i++] : tmp[j++];
      }
    }
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
