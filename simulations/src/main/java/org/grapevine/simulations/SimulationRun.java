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
import org.grapevine.simulations.distributed.DistributedEngine;
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
import org.grapevine.simulations.real.RealEngine;
import org.grapevine.simulations.report.RunReport;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.virtual.VirtualEngine;

/**
 * One run of a scenario: generate the network from the seed, run it on an engine (virtual or real),
 * compute baselines and figures, write the folder. For the virtual engine, the only place that
 * reads the wall clock, for the progress line and the run's own speed.
 */
public final class SimulationRun {
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  /** How fast a run went: reported beside the results, never inside them. */
  public record Speed(
      double wallSeconds,
      double setupSeconds,
      double simSecondsPerWallSecond,
      double eventsPerSecond,
      long events,
      long peakHeapBytes,
      double cpuSeconds) {
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("wallSeconds", wallSeconds);
      o.put("setupSeconds", setupSeconds);
      o.put("simulatedSecondsPerWallSecond", simSecondsPerWallSecond);
      o.put("eventsPerSecond", eventsPerSecond);
      o.put("events", events);
      o.put("cpuSeconds", cpuSeconds);
      o.put("peakHeapBytes", peakHeapBytes);
      o.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
      return o;
    }

    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "wall %.1f s (set-up %.1f s), %.1f simulated s per wall s, %,.0f events/s,"
              + " %,d events, CPU %.1f s, peak heap %,d MiB",
          wallSeconds,
          setupSeconds,
          simSecondsPerWallSecond,
          eventsPerSecond,
          events,
          cpuSeconds,
          peakHeapBytes >> 20);
    }
  }

  public record Outcome(RunData data, ObjectNode results, Speed speed) {}

  /**
   * What a run is generated from the scenario and its seed, in this order (each part from its own
   * split of the seed's stream): the same on every engine and, for the distributed engine, on every
   * agent.
   */
  public record Inputs(
      Scenario scenario,
      FollowGraph follows,
      Topology topology,
      Network network,
      Workload workload,
      FaultPlan faults,
      SplittableRandom engineRandom) {
    public static Inputs generate(Scenario s) {
      SplittableRandom master = new SplittableRandom(s.seed());
      FollowGraph follows = FollowGraph.generate(s.follows(), s.nodes().count(), master.split());
      Topology topology = TopologyBuilder.build(s, follows, master.split());
      Network network = Network.generate(s, topology, master.split());
      Workload workload = Workload.generate(s, follows, master.split());
      FaultPlan faults = FaultPlan.generate(s, master.split());
      return new Inputs(s, follows, topology, network, workload, faults, master.split());
    }
  }

  /** Makes the engine that runs one scenario from its inputs. */
  @FunctionalInterface
  public interface EngineFactory {
    SimulationEngine create(Inputs inputs) throws IOException;
  }

  /**
   * The engine of {@code kind} (the distributed ones write their agents' logs under {@code out}).
   */
  private static EngineFactory factory(EngineKind kind, Path out) {
    return in ->
        switch (kind) {
          case VIRTUAL ->
              new VirtualEngine(
                  in.scenario(),
                  in.follows(),
                  in.topology(),
                  in.network(),
                  in.workload(),
                  in.faults(),
                  in.engineRandom());
          case REAL ->
              new RealEngine(
                  in.scenario(),
                  in.follows(),
                  in.topology(),
                  in.network(),
                  in.workload(),
                  in.engineRandom());
          case AGENTS, NETNS -> DistributedEngine.local(in, kind, out);
        };
  }

  private SimulationRun() {}

  /**
   * Runs the scenario on the virtual engine; {@code progress} (may be null) gets a line every two
   * seconds of wall time.
   */
  public static Outcome run(Scenario s, PrintStream progress) {
    try {
      return run(s, EngineKind.VIRTUAL, progress);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // The virtual engine touches no files.
    }
  }

  /**
   * Runs the scenario on {@code engine}.
   *
   * @throws IOException if the real engine cannot create its nodes' data directories
   */
  public static Outcome run(Scenario s, EngineKind engineKind, PrintStream progress)
      throws IOException {
    return run(s, factory(engineKind, null), progress);
  }

  /** Runs the scenario on the engine {@code factory} makes. */
  public static Outcome run(Scenario s, EngineFactory factory, PrintStream progress)
      throws IOException {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    long wallStart = System.nanoTime();
    long cpuStart = cpuNanos();
    Inputs in = Inputs.generate(s);
    Topology topology = in.topology();
    Network network = in.network();
    long[] runStartHolder = {System.nanoTime()};
    long[] lastReport = {runStartHolder[0]};
    SimulationEngine.Progress report =
        (sim, duration, events) -> {
          long runStart = runStartHolder[0];
          long wall = System.nanoTime();
          if (progress != null && wall - lastReport[0] >= PROGRESS_EVERY_NANOS) {
            lastReport[0] = wall;
            double wallS = (wall - runStart) / 1e9;
            double rate = sim / 1e9 / Math.max(1e-9, wallS);
            double eta = rate > 0 ? (duration - sim) / 1e9 / rate : Double.NaN;
            progress.printf(
                java.util.Locale.ROOT,
                "sim %.1f/%.0f s  wall %.1f s  %,.0f events/s  ETA %.0f s%n",
                sim / 1e9,
                duration / 1e9,
                wallS,
                events / Math.max(1e-9, wallS),
                eta);
          }
        };
    SimulationEngine engine = factory.create(in);
    // The real engine's clock starts once its nodes are up and connected; each engine says when.
    RunData data = engine.run(report, () -> runStartHolder[0] = System.nanoTime());
    long runStart = runStartHolder[0];
    long runEnd = System.nanoTime();
    Topology bounds = topology;
    long[] made = data.dht().madeEdges;
    if (made.length > 0) { // The topology and the connections made to topic peers.
      long[] all = java.util.Arrays.copyOf(made, made.length + topology.links());
      int e = made.length;
      for (int a = 0; a < topology.nodeCount(); a++) {
        for (int l = topology.firstLink(a); l < topology.firstLink(a) + topology.degree(a); l++) {
          all[e++] = (long) a << 32 | topology.target(l);
        }
      }
      bounds = Topology.of(topology.nodeCount(), all, e);
    }
    Baselines.compute(data.log(), bounds, network, data.envelopeBytes());
    if (data.addressed() != null) {
      Baselines.computeAddressed(data.addressed(), bounds, network, data.envelopeBytes());
    }
    ObjectNode results = Results.summarize(data);
    engine.annotate(results);
    double runSeconds = (runEnd - runStart) / 1e9;
    Speed speed =
        new Speed(
            (System.nanoTime() - wallStart) / 1e9,
            (runStart - wallStart) / 1e9,
            s.durationNanos() / 1e9 / Math.max(1e-9, runSeconds),
            data.events() / Math.max(1e-9, runSeconds),
            data.events(),
            peakHeap(),
            (cpuNanos() - cpuStart) / 1e9);
    return new Outcome(data, results, speed);
  }

  /**
   * Runs on the virtual engine and writes the folder ({@link OutputFiles}), speed and {@code
   * report.html} included.
   */
  public static Outcome runTo(Scenario s, Path out, PrintStream progress) throws IOException {
    return runTo(s, EngineKind.VIRTUAL, out, progress);
  }

  /** Runs on {@code engine} and writes the folder. */
  public static Outcome runTo(Scenario s, EngineKind engine, Path out, PrintStream progress)
      throws IOException {
    return runTo(s, factory(engine, out), out, progress);
  }

  /** Runs on the engine {@code factory} makes and writes the folder. */
  public static Outcome runTo(Scenario s, EngineFactory factory, Path out, PrintStream progress)
      throws IOException {
    Outcome o = run(s, factory, progress);
    OutputFiles.write(out, o.data(), o.results());
    OutputFiles.writeJson(out.resolve(OutputFiles.SPEED), o.speed().toJson());
    RunReport.write(out, o.data(), o.results(), o.speed().toJson());
    return o;
  }

  /** CPU time of the whole process (every thread), or 0 where the JVM cannot tell. */
  private static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
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
