package org.grapevine.benchmarks;

import java.util.SplittableRandom;

/** {@link NodeBench}'s realistic post texts for harnesses in other packages (FeedHarness). */
public final class NodeBenchAccess {
  private NodeBenchAccess() {}

  public static String postText(SplittableRandom random) {
    return NodeBench.postText(random);
  }
}
