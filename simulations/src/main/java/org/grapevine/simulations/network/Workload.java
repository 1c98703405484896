package org.grapevine.simulations.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The posts of a run, in publish order: when, by whom, how large, and for a reply (issue 15) the
 * post it replies to. Primitive arrays, one slot per post. Immutable.
 *
 * <p>Plain posts are drawn first, as before replies existed, so a scenario without replies or a
 * flood draws the same numbers and gets the same posts. Replies ({@code workload.replies}) and a
 * flood ({@code workload.flood}) are drawn after them from the same stream and merged in by time (a
 * stable sort: ties keep plain posts first), since each node's entries must be written in the order
 * they are published. A reply answers a plain post published before it, so its thread's root is its
 * parent.
 */
public final class Workload {
  /** What a post is. */
  public static final byte PLAIN = 0;

  /** A reply by a stranger of the parent's author ({@code workload.replies}). */
  public static final byte REPLY = 1;

  /** A reply of a flood at one addressee ({@code workload.flood}). */
  public static final byte FLOOD = 2;

  private static final int PICK_TRIES = 1_000;

  private final long[] timeNanos;
  private final int[] author;
  private final int[] bytes;
  private final int[] parent;
  private final byte[] kind;

  private Workload(long[] timeNanos, int[] author, int[] bytes, int[] parent, byte[] kind) {
    this.timeNanos = timeNanos;
    this.author = author;
    this.bytes = bytes;
    this.parent = parent;
    this.kind = kind;
  }

  public static Workload generate(Scenario s, FollowGraph follows, SplittableRandom random) {
    Scenario.Workload w = s.workload();
    int n = follows.nodeCount();
    int p = w.posts();
    long[] times = new long[p];
    int[] authors = new int[p];
    int[] sizes = new int[p];
    double[] weights = new double[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = w.authors() == Scenario.AuthorChoice.UNIFORM ? 1 : follows.followers(i).length;
      total += weights[i];
    }
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += total == 0 ? 1 : weights[i];
      cumulative[i] = sum;
    }
    int[] identity = new int[n];
    for (int i = 0; i < n; i++) {
      identity[i] = i;
    }
    Sampling.Weighted pickAuthor = new Sampling.Weighted(cumulative, identity);
    double t = s.warmUpNanos();
    double meanGapNanos = 1e9 / w.postsPerSecond();
    for (int k = 0; k < p; k++) {
      t +=
          w.arrivals() == Scenario.Arrivals.CONSTANT
              ? meanGapNanos
              : -Math.log(1 - random.nextDouble()) * meanGapNanos;
      times[k] = Math.min((long) t, s.durationNanos() - 1);
      authors[k] = pickAuthor.draw(random);
      sizes[k] = size(w, random);
    }
    int[] parents = new int[p];
    Arrays.fill(parents, -1);
    Workload plain = new Workload(times, authors, sizes, parents, new byte[p]);
    if (w.replies().count() == 0 && w.flood().writers() == 0) {
      return plain;
    }
    List<long[]> extra = new ArrayList<>(); // {time, author, bytes, parent, kind}
    replies(s, follows, plain, random, extra);
    flood(s, follows, plain, random, extra);
    return plain.merged(extra);
  }

  private static int size(Scenario.Workload w, SplittableRandom random) {
    return w.messageBytes()
        + (w.messageBytesMax() == w.messageBytes()
            ? 0
            : random.nextInt(w.messageBytesMax() - w.messageBytes() + 1));
  }

  /**
   * Replies by strangers: each at a Poisson time, to a plain post published before it (uniform
   * among them), by a node that neither follows its author nor is followed by it; a reply with no
   * such node after a bounded search is not written.
   */
  private static void replies(
      Scenario s, FollowGraph follows, Workload plain, SplittableRandom random, List<long[]> out) {
    Scenario.Replies r = s.workload().replies();
    int n = follows.nodeCount();
    double t = s.warmUpNanos();
    double meanGapNanos = 1e9 / r.perSecond();
    for (int i = 0; i < r.count() && plain.posts() > 0; i++) {
      t += -Math.log(1 - random.nextDouble()) * meanGapNanos;
      long at = Math.min((long) t, s.durationNanos() - 1);
      int before = plain.postsBefore(at);
      if (before == 0) {
        continue; // Nothing to reply to yet.
      }
      int parent = random.nextInt(before);
      int replier = stranger(plain.author(parent), n, follows, random);
      if (replier >= 0) {
        out.add(new long[] {at, replier, size(s.workload(), random), parent, REPLY});
      }
    }
  }

  /**
   * The flood: {@code writers} distinct strangers of the author of the first post each write {@code
   * entries} replies to that post, from {@code at} (or just after that post).
   */
  private static void flood(
      Scenario s, FollowGraph follows, Workload plain, SplittableRandom random, List<long[]> out) {
    Scenario.Flood f = s.workload().flood();
    if (f.writers() == 0 || plain.posts() == 0) {
      return;
    }
    int target = 0;
    long start = Math.max(f.atNanos(), plain.timeNanos(target) + 1);
    int addressee = plain.author(target);
    long gap = (long) (1e9 / f.perSecond());
    List<Integer> writers = new ArrayList<>();
    for (int tries = 0; writers.size() < f.writers() && tries < PICK_TRIES * f.writers(); tries++) {
      int x = stranger(addressee, follows.nodeCount(), follows, random);
      if (x >= 0 && !writers.contains(x)) {
        writers.add(x);
      }
    }
    for (int j = 0; j < f.entries(); j++) {
      long at = Math.min(start + j * gap, s.durationNanos() - 1);
      for (int x : writers) {
        out.add(new long[] {at, x, size(s.workload(), random), target, FLOOD});
      }
    }
  }

  /**
   * A node other than {@code of} that neither follows it nor is followed by it; -1 if not found.
   */
  private static int stranger(int of, int n, FollowGraph follows, SplittableRandom random) {
    for (int tries = 0; tries < PICK_TRIES; tries++) {
      int x = random.nextInt(n);
      if (x != of
          && follows.followerIndex(of, x) < 0 // x does not follow `of`
          && follows.followerIndex(x, of) < 0) { // `of` does not follow x
        return x;
      }
    }
    return -1;
  }

  /** How many plain posts are published before {@code nanos} (they are in time order). */
  private int postsBefore(long nanos) {
    int lo = 0;
    int hi = timeNanos.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (timeNanos[mid] < nanos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** These posts and {@code extra} merged by time, parents renumbered. */
  private Workload merged(List<long[]> extra) {
    int p = posts();
    int total = p + extra.size();
    Integer[] order = new Integer[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Long.compare(timeAt(x, extra), timeAt(y, extra))); // Stable.
    int[] newIndex = new int[total];
    for (int i = 0; i < total; i++) {
      newIndex[order[i]] = i;
    }
    long[] t = new long[total];
    int[] a = new int[total];
    int[] b = new int[total];
    int[] par = new int[total];
    byte[] k = new byte[total];
    for (int i = 0; i < total; i++) {
      int o = order[i];
      if (o < p) {
        t[i] = timeNanos[o];
        a[i] = author[o];
        b[i] = bytes[o];
        par[i] = -1;
      } else {
        long[] e = extra.get(o - p);
        t[i] = e[0];
        a[i] = (int) e[1];
        b[i] = (int) e[2];
        par[i] = newIndex[(int) e[3]];
        k[i] = (byte) e[4];
      }
    }
    return new Workload(t, a, b, par, k);
  }

  private long timeAt(int i, List<long[]> extra) {
    return i < posts() ? timeNanos[i] : extra.get(i - posts())[0];
  }

  public int posts() {
    return timeNanos.length;
  }

  public long timeNanos(int post) {
    return timeNanos[post];
  }

  public int author(int post) {
    return author[post];
  }

  /** The post's text size in bytes (the entry adds its header and signature). */
  public int bytes(int post) {
    return bytes[post];
  }

  /** The post this one replies to (published before it), or -1 for a plain post. */
  public int parent(int post) {
    return parent[post];
  }

  /** {@link #PLAIN}, {@link #REPLY} or {@link #FLOOD}. */
  public byte kind(int post) {
    return kind[post];
  }

  /** Whether any post is a reply or a flood entry. */
  public boolean hasAddressed() {
    for (int k = 0; k < kind.length; k++) {
      if (kind[k] != PLAIN) {
        return true;
      }
    }
    return false;
  }
}
