package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame of the cli ITs that type commands at a real node: Alice's node ({@link TestNode}:
 * store, host, local API on 127.0.0.1) in a temporary data directory, started before each test and
 * closed after it, and commands run as a person types them, with what they print captured.
 */
abstract class RealNodeCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  /** Alice's data directory. */
  Path alice;

  TestNode node;

  @BeforeEach
  void startNode() throws Exception {
    alice = tmp.resolve("alice");
    node = TestNode.start(alice);
  }

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** Runs a command on Alice's node; returns its exit code. */
  int run(String... args) {
    std.reset();
    String[] full = java.util.Arrays.copyOf(args, args.length + 2);
    full[args.length] = "--data-dir";
    full[args.length + 1] = alice.toString();
    return Main.execute(full);
  }

  /** Runs a command that must succeed; returns what it printed. */
  String okText(String... args) {
    assertThat(run(args)).as(String.join(" ", args) + ": " + std.err()).isZero();
    return std.out();
  }

  /** Runs a command that must succeed and print JSON ({@code --json}). */
  JsonNode ok(String... args) throws Exception {
    return JSON.readTree(okText(args));
  }
}
