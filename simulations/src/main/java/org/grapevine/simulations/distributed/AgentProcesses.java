package org.grapevine.simulations.distributed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Agents as child processes of this JVM ({@code java -cp <this classpath> ... agent}), each with
 * its output in {@code agent-N.log}. They are always ended with this object: on {@link #close}, and
 * by a shutdown hook if the JVM ends first (Ctrl-C); an agent also ends by itself when its
 * coordinator goes away.
 */
final class AgentProcesses implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook = new Thread(this::killAll, "agent-processes-cleanup");

  /**
   * Starts {@code count} agents numbered 0 to count-1.
   *
   * @param wrapper put before {@code java} for agent {@code i} (e.g. {@code ip netns exec NAME});
   *     empty for none
   * @param advertise the address agent {@code i} advertises, or null (from its connection)
   */
  static AgentProcesses start(
      int count,
      String coordinator,
      Path logs,
      int heapMiB,
      java.util.function.IntFunction<List<String>> wrapper,
      java.util.function.IntFunction<String> advertise)
      throws IOException {
    Files.createDirectories(logs);
    AgentProcesses p = new AgentProcesses();
    Runtime.getRuntime().addShutdownHook(p.hook);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try {
      for (int i = 0; i < count; i++) {
        List<String> cmd = new ArrayList<>(wrapper.apply(i));
        cmd.add(java);
        cmd.add("-Xmx" + heapMiB + "m");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.grapevine.simulations.cli.GrapevineSim");
        cmd.add("agent");
        cmd.add("--coordinator");
        cmd.add(coordinator);
        cmd.add("--number");
        cmd.add(String.valueOf(i));
        String a = advertise.apply(i);
        if (a != null) {
          cmd.add("--advertise");
          cmd.add(a);
        }
        Path log = logs.resolve("agent-" + i + ".log");
        p.processes.add(
            new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start());
      }
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  List<Process> processes() {
    return List.copyOf(processes);
  }

  /** Waits a little for the agents to end after their stop, then kills whatever is left. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Process p : processes) {
      try {
        p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutting down: the hook runs (or ran) anyway.
    }
  }

  private void killAll() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
