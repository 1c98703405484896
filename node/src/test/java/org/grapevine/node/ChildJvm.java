package org.grapevine.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A child JVM on this test's class path, for crash tests that kill it with SIGKILL. */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code args} in a new JVM (256 MiB heap, this JVM's java and class
   * path); its stderr goes to {@code stderr}, its stdout is the returned process's input stream.
   */
  public static Process start(Path stderr, Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }
}
