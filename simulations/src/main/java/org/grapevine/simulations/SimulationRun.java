package org.grapevine.simulations;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.grapevine.simulations.metrics.Baselines;
import org.grapevine.simulations.metrics.OutputFiles;
import org.grapevine.simulations.metrics.Results;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.network.FaultPlan;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.TopologyBuilder;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.virtual.VirtualEngine;

/**
 * One run of a scenario on the virtual engine: generate the network from the seed, run, compute
 * baselines and figures, write the folder. The only place that reads the wall clock, for the
 * progress line and the run's own speed.
 */
public final class SimulationRun {
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  /** How fast a run went: reported beside the results, never inside them. */
  public record Speed(double wallSeconds, double setupSeconds, double simSecondsPerWallSecond, double eventsPerSecond,
      long events, long peakHeapBytes) {
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("wallSeconds", wallSeconds);
      o.put("setupSeconds", setupSeconds);
      o.put("simulatedSecondsPerWallSecond", simSecondsPerWallSecond);
      o.put("eventsPerSecond", eventsPerSecond);
      o.put("events", events);
      o.put("peakHeapBytes", peakHeapBytes);
      o.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
      return o;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "wall %.1f s (set-up %.1f s), %.1f simulated s per wall s, %,.0f events/s,"
          + " %,d events, peak heap %,d MiB", wallSeconds, setupSeconds, simSecondsPerWallSecond, eventsPerSecond, events,
          peakHeapBytes >> 20);
    }
  }

  public record Outcome(RunData data, ObjectNode results, Speed speed) {}

  private SimulationRun() {}

  /**
   * Runs the scenario; {@code progress} (may be null) gets a line every two seconds of wall time.
   */
  public static Outcome run(Scenario s, PrintStream progress) {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    long wallStart = System.nanoTime();
    SplittableRandom master = new SplittableRandom(s.seed());
    FollowGraph follows = FollowGraph.generate(s.follows(), s.nodes().count(), master.split());
    Topology topology = TopologyBuilder.build(s.connections(), follows, master.split());
    Network network = Network.generate(s, topology, master.split());
    Workload workload = Workload.generate(s, follows, master.split());
    FaultPlan faults = FaultPlan.generate(s, master.split());
    VirtualEngine engine = new VirtualEngine(s, follows, topology, network, workload, faults, master.split());
    long runStart = System.nanoTime();
    long[] lastReport = {runStart};
    RunData data = engine.run((sim, duration, events) -> {
      long wall = System.nanoTime();
      if (progress != null && wall - lastReport[0] >= PROGRESS_EVERY_NANOS) {
        lastReport[0] = wall;
        double wallS = (wall - runStart) / 1e9;
        double rate = sim / 1e9 / Math.max(1e-9, wallS);
        double eta = rate > 0 ? (duration - sim) / 1e9 / rate : Double.NaN;
        progress.printf(java.util.Locale.ROOT, "sim %.1f/%.0f s  wall %.1f s  %,.0f events/s  ETA %.0f s%n",
            sim / 1e9, duration / 1e9, wallS, events / Math.max(1e-9, wallS), eta);
      }
    });
    long runEnd = System.nanoTime();
    Baselines.compute(data.log(), topology, network, data.envelopeBytes());
    ObjectNode results = Results.summarize(data);
    double runSeconds = (runEnd - runStart) / 1e9;
    Speed speed = new Speed((System.nanoTime() - wallStart) / 1e9, (runStart - wallStart) / 1e9,
        s.durationNanos() / 1e9 / Math.max(1e-9, runSeconds), data.events() / Math.max(1e-9, runSeconds), data.events(),
        peakHeap());
    return new Outcome(data, results, speed);
  }

  /** Runs and writes the folder ({@link OutputFiles}), speed included. */
  public static Outcome runTo(Scenario s, Path out, PrintStream progress) throws IOException {
    Outcome o = run(s, progress);
    OutputFiles.write(out, o.data(), o.results());
    OutputFiles.writeJson(out.resolve(OutputFiles.SPEED), o.speed().toJson());
    return o;
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
