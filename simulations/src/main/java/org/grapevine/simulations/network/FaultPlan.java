package org.grapevine.simulations.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The faults of a run, drawn up front: every outage (churn from rates and the schedule), the group
 * of every node in each partition, and the bad forwarders. Immutable.
 */
public final class FaultPlan {
  /** A partition with each node's group. */
  @SuppressWarnings("ArrayRecordComponent") // a planned fault, read by the network, never compared
  public record Split(long atNanos, long healNanos, int[] groupOf) {}

  private final List<Scenario.Outage> outages;
  private final List<Split> splits;
  private final boolean[] bad;

  private FaultPlan(List<Scenario.Outage> outages, List<Split> splits, boolean[] bad) {
    this.outages = outages;
    this.splits = splits;
    this.bad = bad;
  }

  public static FaultPlan generate(Scenario s, SplittableRandom random) {
    int n = s.nodes().count();
    Scenario.Faults f = s.faults();
    List<Scenario.Outage> outages = new ArrayList<>(f.churn().schedule());
    if (f.churn().leavesPerHour() > 0) {
      double meanUpNanos = 3600e9 / f.churn().leavesPerHour();
      for (int node = 0; node < n; node++) {
        double t = s.warmUpNanos() * 0.5 - Math.log(1 - random.nextDouble()) * meanUpNanos;
        while (t < s.durationNanos()) {
          double down = -Math.log(1 - random.nextDouble()) * f.churn().meanDowntimeNanos();
          outages.add(new Scenario.Outage(node, (long) t, (long) (t + Math.max(1e6, down))));
          t += Math.max(1e6, down) - Math.log(1 - random.nextDouble()) * meanUpNanos;
        }
      }
    }
    outages.sort(
        Comparator.comparingLong(Scenario.Outage::leaveNanos)
            .thenComparingInt(Scenario.Outage::node));
    List<Split> splits = new ArrayList<>();
    for (Scenario.Partition p : f.partitions()) {
      int[] groupOf = new int[n];
      if (p.groups().isEmpty()) {
        int[] order = Sampling.permutation(n, random);
        for (int i = 0; i < n; i++) {
          groupOf[order[i]] = (int) ((long) i * p.groupCount() / n);
        }
      } else {
        Arrays.fill(groupOf, p.groups().size()); // Nodes named in no group form the last one.
        for (int g = 0; g < p.groups().size(); g++) {
          for (int node : p.groups().get(g)) {
            groupOf[node] = g;
          }
        }
      }
      splits.add(new Split(p.atNanos(), p.healNanos(), groupOf));
    }
    boolean[] bad = new boolean[n];
    Scenario.BadForwarders b = f.badForwarders();
    if (!b.nodes().isEmpty()) {
      b.nodes().forEach(x -> bad[x] = true);
    } else if (b.count() > 0) {
      int[] order = Sampling.permutation(n, random);
      for (int i = 0; i < b.count(); i++) {
        bad[order[i]] = true;
      }
    }
    return new FaultPlan(List.copyOf(outages), List.copyOf(splits), bad);
  }

  /** Every outage, by leave time. */
  public List<Scenario.Outage> outages() {
    return outages;
  }

  public List<Split> splits() {
    return splits;
  }

  public boolean isBadForwarder(int node) {
    return bad[node];
  }
}
