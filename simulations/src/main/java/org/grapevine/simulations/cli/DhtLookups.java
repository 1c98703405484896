package org.grapevine.simulations.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.grapevine.simulations.dht.DhtLookupBench;
import org.grapevine.simulations.scenario.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code grapevine-sim dht-lookups}: builds DHTs of the given sizes out of the real {@code Dht}
 * class in virtual time ({@link DhtLookupBench}) and prints what {@code findPeer} lookups cost in
 * each: latency, hops and messages (p50, p99, mean), and how hops grow with n.
 */
@Command(
    name = "dht-lookups",
    mixinStandardHelpOptions = true,
    description = {
      "Lookup latency, hops and messages per lookup in DHTs of n nodes (the real Dht class in",
      "virtual time). 100,000 nodes takes minutes and a few GB of heap."
    })
final class DhtLookups implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--nodes",
      split = ",",
      defaultValue = "1000,10000",
      description = "DHT sizes (default ${DEFAULT-VALUE})")
  List<Integer> sizes;

  @Option(names = "--lookups", defaultValue = "200", description = "findPeer lookups per size")
  int lookups;

  @Option(names = "--seeds", defaultValue = "3", description = "table seeds per joining node")
  int seeds;

  @Option(
      names = "--settle",
      defaultValue = "60s",
      description = "virtual time after the last node joined, before the lookups")
  String settle;

  @Option(names = "--seed", defaultValue = "1", description = "random seed")
  long seed;

  @Option(
      names = "--build",
      defaultValue = "joins",
      description = {
        "how the tables are built: joins (every node joins and bootstraps, as in the running",
        "network; ~85 min at 100,000 nodes) or direct (each bucket filled with what a settled",
        "table holds; seconds)"
      })
  String build;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    long settleNanos = Durations.parseNanos(settle);
    DhtLookupBench.Build how;
    try {
      how = DhtLookupBench.Build.valueOf(build.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("dht-lookups: --build is joins or direct, not " + build);
      return 2;
    }
    if (settleNanos < 0 || lookups < 1 || seeds < 1) {
      spec.commandLine().getErr().println("dht-lookups: --settle, --lookups, --seeds must be > 0");
      return 2;
    }
    out.println(
        "nodes    lookups found  latency_ms p50/p99   hops p50/p99/mean   messages p50/p99/mean"
            + "   table  build_msgs  wall_s   (tables built by "
            + how.name().toLowerCase(Locale.ROOT)
            + ")");
    for (int n : sizes) {
      if (n < 2) {
        spec.commandLine().getErr().println("dht-lookups: sizes must be at least 2");
        return 2;
      }
      long wall = System.nanoTime();
      DhtLookupBench.Figures f = new DhtLookupBench(n, seed).run(how, seeds, settleNanos, lookups);
      out.println(
          String.format(
              Locale.ROOT,
              "%-8d %-7d %-6d %7.0f / %-7.0f %5d / %-3d / %-6.2f %5d / %-4d / %-7.1f %6.1f %11d %7.1f",
              n,
              f.lookups(),
              f.found(),
              p(f.latencyNanos(), 0.5) / 1e6,
              p(f.latencyNanos(), 0.99) / 1e6,
              p(f.hops(), 0.5),
              p(f.hops(), 0.99),
              mean(f.hops()),
              p(f.messages(), 0.5),
              p(f.messages(), 0.99),
              mean(f.messages()),
              f.meanTableSize(),
              f.messagesInBuild(),
              (System.nanoTime() - wall) / 1e9));
      out.flush();
    }
    return 0;
  }

  private static long p(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double mean(long[] v) {
    double s = 0;
    for (long x : v) {
      s += x;
    }
    return v.length == 0 ? 0 : s / v.length;
  }
}
