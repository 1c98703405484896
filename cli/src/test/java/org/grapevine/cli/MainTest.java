package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  @Test
  void version_printsProjectVersion_exitsZero() {
    assertThat(Main.execute("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("grapevine ").doesNotContain("${").doesNotContain("unknown");
  }

  @Test
  void noArguments_printsUsage_exitsZero() {
    assertThat(Main.execute()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: grapevine").contains("no servers");
  }

  @Test
  void unknownOption_saysSo_exitsTwo() {
    assertThat(Main.execute("--bogus")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--bogus'");
  }
}
