package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code grapevine notifications}: replies, mentions, reactions, reposts and follows addressed to
 * you, grouped ("Carol and 2 others reacted ❤ to your post"), oldest first; unread ones marked ●.
 */
@Command(
    name = "notifications",
    mixinStandardHelpOptions = true,
    description = {
      "What others addressed to you: replies, mentions, reactions, reposts, follows, grouped,",
      "oldest first, newest last; unread ones are marked with ●. This node hears them from",
      "people you do not follow too.",
      "--mark-read marks everything shown as read. With --follow, keep printing new ones as they",
      "arrive, until Ctrl-C. --json prints the API's page (with --follow, one per line)."
    })
public final class NotificationsCommand extends NodeCommand {
  @Option(
      names = {"-n", "--limit"},
      defaultValue = "20",
      paramLabel = "N",
      description = "How many of the latest to read (1 to 200; default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--unread", description = "Only the unread ones.")
  boolean unread;

  @Option(names = "--mark-read", description = "Mark what is shown as read.")
  boolean markRead;

  @Option(
      names = {"-f", "--follow"},
      description = "Stay and print new notifications as they arrive.")
  boolean follow;

  /** For tests and scripts: stop after this many live notifications. */
  @Option(names = "--max-events", hidden = true, defaultValue = "0")
  int maxEvents;

  @Override
  void run(ApiClient api) throws CliException, InterruptedException {
    if (!follow) {
      page(api);
      return;
    }
    live(
        api,
        "notification",
        () -> page(api),
        n -> {
          if (options.json()) {
            System.out.println(n);
          } else {
            JsonNode e = n.path("entry");
            ObjectNode group =
                object()
                    .put("type", n.path("type").asText())
                    .put("about", n.path("about").asText(null))
                    .put("unread", true)
                    .put("timestamp", e.path("timestamp").asLong());
            group.putArray("entries").add(e.path("id").asText());
            group.putArray("identities").add(e.path("identity").asText());
            System.out.println(
                NotificationFormat.line(group, Map.of(e.path("id").asText(), e), now()));
          }
          return true;
        },
        maxEvents);
  }

  private void page(ApiClient api) throws CliException {
    JsonNode page = api.get("/v1/notifications?limit=" + limit + (unread ? "&unread=true" : ""));
    if (options.json()) {
      System.out.println(page);
    } else {
      Map<String, JsonNode> entries = new HashMap<>();
      page.path("notifications")
          .forEach(n -> entries.put(n.path("entry").path("id").asText(), n.path("entry")));
      List<JsonNode> groups = new ArrayList<>();
      page.path("groups").forEach(groups::add);
      for (int i = groups.size() - 1; i >= 0; i--) {
        System.out.println(NotificationFormat.line(groups.get(i), entries, now()));
      }
      if (groups.isEmpty()) {
        System.err.println(unread ? "(no unread notifications)" : "(no notifications yet)");
      }
    }
    JsonNode newest = page.path("notifications").path(0).path("entry").path("id");
    if (markRead && newest.isTextual()) {
      api.post(
          "/v1/notifications/read",
          JsonNodeFactory.instance.objectNode().put("until", newest.asText()));
    }
  }
}
