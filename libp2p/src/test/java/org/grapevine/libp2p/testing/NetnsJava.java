package org.grapevine.libp2p.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test's main class inside a network namespace ({@code ip netns exec}), with
 * this JVM's test classpath; its stdout lines collected as they come. The child is told to stop by
 * closing its stdin ({@link #close}), and killed if it does not within 10 s. (Not AutoCloseable:
 * its close waits, and may be interrupted.)
 */
public final class NetnsJava {
  private final String ns;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private NetnsJava(String ns, Process process) {
    this.ns = ns;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // The child is gone.
              }
            },
            "netns-java-" + ns);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code main} with {@code args} in namespace {@code ns}; stderr goes to ours. */
  public static NetnsJava start(String ns, Class<?> main, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "-cp", cp));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new NetnsJava(
        ns, new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  /** The first line starting with {@code prefix}, waiting up to {@code seconds} for it. */
  public String awaitLine(String prefix, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      for (String l : lines) {
        if (l.startsWith(prefix)) {
          return l;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "the child in "
            + ns
            + " printed no line starting with \""
            + prefix
            + "\" in "
            + seconds
            + " s; it printed "
            + lines);
  }

  /** Writes {@code line} to the child's stdin. */
  public void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Closes the child's stdin (its signal to stop) and waits for it, killing it after 10 s. */
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
