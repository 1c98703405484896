package org.grapevine.simulations.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.simulations.EngineKind;

/**
 * A parallel sweep: every point runs in its own worker JVM ({@code grapevine-sim sweep-point --spec
 * sweep-spec.json --index I --out DIR}, the same code as the sequential sweep's point), at most
 * {@code workers} at a time; then the table is made from the points' folders exactly as the
 * sequential sweep makes it (same rows, same order). Separate processes, not threads: each point
 * gets its own heap and the wall-clock and peak-heap figures of {@code speed.json} stay its own.
 *
 * <p>A worker's output goes to {@code DIR/logs/<point>.log}. A worker that fails is named with the
 * tail of its log; the other points still run, and the sweep then fails without tables. Workers
 * still running when the sweep stops (Ctrl-C, an error here) are killed with their children.
 */
public final class WorkerPool {
  public static final String LOGS = "logs";

  /** At most this many workers: more than the machine's cores buys nothing but memory. */
  public static final int MAX_WORKERS = 256;

  private static final int LOG_TAIL_LINES = 15;

  /** How to start a worker JVM: the java executable, JVM options and the class path. */
  public record Launcher(String java, List<String> jvmOptions, String classPath) {
    public Launcher {
      jvmOptions = List.copyOf(jvmOptions);
    }

    /** This JVM's java, its class path (the grapevine-sim jar, or the test class path). */
    public static Launcher current(List<String> jvmOptions) {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      return new Launcher(java, jvmOptions, System.getProperty("java.class.path"));
    }
  }

  private WorkerPool() {}

  /**
   * Runs every point of the spec's grid in worker processes and writes the tables.
   *
   * @throws IOException naming the points whose workers failed (their logs), or if the folder
   *     cannot be written
   */
  public static List<SweepRun.Row> run(
      SweepSpec spec,
      SweepGrid grid,
      EngineKind engine,
      Path out,
      int workers,
      Launcher launcher,
      PrintStream progress)
      throws IOException {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new IllegalArgumentException("--workers " + workers + ": between 1 and " + MAX_WORKERS);
    }
    Files.createDirectories(out.resolve(SweepRun.POINTS));
    Files.createDirectories(out.resolve(LOGS));
    Path specFile = out.resolve(SweepSpec.FILE);
    spec.write(specFile);
    int n = grid.points().size();
    Set<Process> live = ConcurrentHashMap.newKeySet();
    // Ctrl-C runs the shutdown hooks: the workers must not outlive the sweep.
    Thread killer = new Thread(() -> killAll(live), "sweep-workers-kill");
    Runtime.getRuntime().addShutdownHook(killer);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int w = 0; w < Math.min(workers, n); w++) {
        Thread t =
            new Thread(
                () -> {
                  for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    String failure =
                        runOne(grid, i, specFile, engine, out, launcher, live, progress);
                    if (failure != null) {
                      failures.add(failure);
                    }
                    if (progress != null) {
                      progress.printf(
                          "sweep point %d/%d done: %s%s%n",
                          done.incrementAndGet(),
                          n,
                          grid.points().get(i).label(grid.params()),
                          failure == null ? "" : " FAILED");
                    }
                  }
                },
                "sweep-worker-" + w);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("the sweep was interrupted; its workers were stopped", e);
    } finally {
      next.set(n); // No new worker starts after this.
      killAll(live);
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run: nothing to remove.
      }
    }
    if (!failures.isEmpty()) {
      List<String> sorted = new ArrayList<>(failures);
      Collections.sort(sorted);
      throw new IOException(
          failures.size()
              + " of "
              + n
              + " points failed (the others finished; no table written):\n"
              + String.join("\n", sorted));
    }
    List<SweepRun.Row> rows = SweepRun.readRows(grid, out);
    SweepRun.writeTables(grid, engine, out, rows);
    return rows;
  }

  /** Runs point {@code i} in a worker; null when it succeeded, else what went wrong. */
  private static String runOne(
      SweepGrid grid,
      int i,
      Path specFile,
      EngineKind engine,
      Path out,
      Launcher launcher,
      Set<Process> live,
      PrintStream progress) {
    String label = grid.points().get(i).label(grid.params());
    Path log = out.resolve(LOGS).resolve(label + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.java());
    cmd.addAll(launcher.jvmOptions());
    cmd.add("-cp");
    cmd.add(launcher.classPath());
    cmd.add("org.grapevine.simulations.cli.GrapevineSim");
    cmd.add("sweep-point");
    cmd.add("--spec");
    cmd.add(specFile.toString());
    cmd.add("--index");
    cmd.add(Integer.toString(i));
    cmd.add("--engine");
    cmd.add(engine.label());
    cmd.add("--out");
    cmd.add(out.toString());
    if (progress != null) {
      progress.printf(
          "sweep point %d/%d: %s (worker, log %s)%n", i + 1, grid.points().size(), label, log);
    }
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
              .start();
    } catch (IOException e) {
      return "point " + label + ": the worker could not start (" + e.getMessage() + ")";
    }
    live.add(p);
    try {
      int code = p.waitFor();
      if (code == 0) {
        return null;
      }
      return "point " + label + ": worker exit code " + code + ", log " + log + tail(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "point " + label + ": interrupted";
    } finally {
      live.remove(p);
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      StringBuilder b = new StringBuilder();
      for (String l : lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) {
        b.append("\n    | ").append(l);
      }
      return b.toString();
    } catch (IOException | java.io.UncheckedIOException e) {
      return " (unreadable: " + e.getMessage() + ")";
    }
  }

  private static void killAll(Set<Process> live) {
    for (Process p : live) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
