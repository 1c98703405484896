package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.cli.p2p.Terminal;

/**
 * {@code grapevine status --watch}: a progress bar of catch-up sync. The node reports entries it
 * holds back until their predecessors arrive (gap_buffered) and entries stored from sync; the bar
 * is synced / (synced + waiting) since watching began. The node does not know how much its peers
 * hold beyond what they sent, so this measures the catching up it has seen, not a remote total.
 */
final class SyncProgress {
  static final int WIDTH = 30;
  private final ApiClient api;
  private final boolean json;
  private final int maxPolls;

  SyncProgress(ApiClient api, boolean json, int maxPolls) {
    this.api = api;
    this.json = json;
    this.maxPolls = maxPolls;
  }

  void watch(JsonNode first) throws CliException, InterruptedException {
    long syncedAtStart = first.path("sync").path("stored_from_sync").asLong();
    boolean tty = Terminal.attached();
    JsonNode s = first;
    for (int polls = 0; maxPolls <= 0 || polls < maxPolls; polls++) {
      long waiting = s.path("sync").path("gap_buffered").asLong();
      long synced = s.path("sync").path("stored_from_sync").asLong() - syncedAtStart;
      if (json) {
        System.out.println(s);
      } else {
        System.out.print((tty ? "\r" : "") + bar(synced, waiting) + (tty ? "" : "\n"));
      }
      System.out.flush();
      if (waiting == 0 && polls > 0) {
        break;
      }
      Thread.sleep(1000);
      s = api.get("/v1/status");
    }
    if (!json && tty) {
      System.out.println();
    }
  }

  /** {@code [#######.......] 42% 120 synced, 160 waiting}. */
  static String bar(long synced, long waiting) {
    long total = synced + waiting;
    int filled = total == 0 ? WIDTH : (int) (WIDTH * synced / total);
    int percent = total == 0 ? 100 : (int) (100 * synced / total);
    return "["
        + "#".repeat(filled)
        + ".".repeat(WIDTH - filled)
        + "] "
        + String.format("%3d%%", percent)
        + "  "
        + synced
        + " synced, "
        + waiting
        + " waiting"
        + (waiting == 0 ? " (caught up)" : "");
  }
}
