package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  @org.junit.jupiter.api.extension.RegisterExtension
  final org.grapevine.cli.StdCapture std = new org.grapevine.cli.StdCapture();

  @Test
  void version_printsProjectVersion_exitsZero() {
    assertThat(Main.execute("--version")).isZero();
    assertThat(std.out()).startsWith("grapevine ").doesNotContain("${").doesNotContain("unknown");
  }

  @Test
  void noArguments_printsUsage_exitsZero() {
    assertThat(Main.execute()).isZero();
    assertThat(std.out()).contains("Usage: grapevine").contains("no servers");
  }

  @Test
  void unknownOption_saysSo_exitsTwo() {
    assertThat(Main.execute("--bogus")).isEqualTo(2);
    assertThat(std.err()).contains("Unknown option: '--bogus'");
  }
}
