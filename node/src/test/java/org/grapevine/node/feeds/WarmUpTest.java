package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node fills the feeds' window when it starts, not at the first page, takes in what arrives
 * while nobody asks for a page, and stops (before its store closes) when it closes.
 */
class WarmUpTest {
  @TempDir Path dir;

  @Test
  void theWindowIsFilledAtStartAndFedWithoutPages() throws Exception {
    try (FeedFixture node = new FeedFixture(dir)) {
      FeedFixture.Person carol = node.new Person("carol");
      node.follow(carol);
      for (int i = 0; i < 3; i++) {
        carol.post("before start " + i);
      }
      assertThat(node.feeds.counters().get("candidates")).isZero();

      node.feeds.warmUp();
      waitFor(() -> node.feeds.counters().get("candidates") == 3);

      for (int i = 0; i < 2; i++) {
        carol.post("while nobody looks " + i);
      }
      // Taken in by the warm-up thread, not by a page.
      waitFor(() -> node.feeds.counters().get("candidates") == 5);
      assertThat(node.feeds.run("following", Optional.empty(), 10).items()).hasSize(5);

      node.feeds.close();
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(t -> t.getName().equals("feeds-warm-up"));
      assertThatThrownBy(() -> node.feeds.run("following", Optional.empty(), 10))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closing");
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("in time").isNegative();
      Thread.sleep(20);
    }
  }
}
