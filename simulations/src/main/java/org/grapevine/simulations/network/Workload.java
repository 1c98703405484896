package org.grapevine.simulations.network;

import java.util.SplittableRandom;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The posts of a run, in publish order: when, by whom, how large. Primitive arrays, one slot per
 * post. Immutable.
 */
public final class Workload {
  private final long[] timeNanos;
  private final int[] author;
  private final int[] bytes;

  private Workload(long[] timeNanos, int[] author, int[] bytes) {
    this.timeNanos = timeNanos;
    this.author = author;
    this.bytes = bytes;
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
      sizes[k] =
          w.messageBytes()
              + (w.messageBytesMax() == w.messageBytes()
                  ? 0
                  : random.nextInt(w.messageBytesMax() - w.messageBytes() + 1));
    }
    return new Workload(times, authors, sizes);
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
}
