package org.grapevine.simulations.network;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded sampling helpers shared by the generators. */
final class Sampling {
  private Sampling() {}

  /** A draw from a discrete distribution given by cumulative weights over {@code values}. */
  @SuppressWarnings("ArrayRecordComponent") // a sampling table, never compared
  record Weighted(double[] cumulative, int[] values) {
    int draw(SplittableRandom random) {
      double x = random.nextDouble() * cumulative[cumulative.length - 1];
      int i = Arrays.binarySearch(cumulative, x);
      int at = i >= 0 ? i : -i - 1;
      return values[Math.min(at, values.length - 1)];
    }
  }

  static int[] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p, p.length, random);
    return p;
  }

  static void shuffle(int[] a, int length, SplittableRandom random) {
    for (int i = length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * {@code k} distinct nodes other than {@code self}, sorted, drawn from {@code weights} (uniform
   * when null). A heavily skewed distribution may not yield {@code k} distinct values quickly;
   * after many tries the rest is drawn uniformly.
   */
  static int[] distinctOthers(int self, int k, int n, SplittableRandom random, Weighted weights) {
    int want = Math.min(k, n - 1);
    int[] out = new int[want];
    int got = 0;
    int tries = 0;
    while (got < want) {
      int x = weights != null && tries < 50 * want ? weights.draw(random) : random.nextInt(n);
      tries++;
      if (x == self || contains(out, got, x)) {
        continue;
      }
      out[got++] = x;
    }
    Arrays.sort(out);
    return out;
  }

  private static boolean contains(int[] a, int len, int x) {
    for (int i = 0; i < len; i++) {
      if (a[i] == x) {
        return true;
      }
    }
    return false;
  }

  /** An index drawn with probability proportional to {@code weights}. */
  static int pick(double[] weights, SplittableRandom random) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double x = random.nextDouble() * sum;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }
}
