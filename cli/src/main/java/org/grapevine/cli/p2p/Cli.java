package org.grapevine.cli.p2p;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small helpers shared by the p2p commands. */
final class Cli {
  private Cli() {}

  /**
   * Waits for {@code f}; a failure or timeout becomes a {@link CliException} saying what was being
   * done.
   */
  static <T> T await(CompletableFuture<T> f, Duration timeout, String what)
      throws CliException, InterruptedException {
    try {
      // Slack beyond the host's own timeouts, so that its more precise error wins the race.
      return f.get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new CliException(what + ": no answer within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      throw new CliException(m.startsWith("dial ") || m.startsWith(what) ? m : what + ": " + m);
    }
  }
}
