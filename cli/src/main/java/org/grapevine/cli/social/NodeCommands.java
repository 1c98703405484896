package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.grapevine.cli.ExitCode;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.keys.LocalKeys;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.DataDir;
import org.grapevine.protocol.proto.KeyRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The node itself: whoami, peers, status. */
public final class NodeCommands {
  private NodeCommands() {}

  @Command(
      name = "whoami",
      mixinStandardHelpOptions = true,
      description = {
        "Print this node's identity string (what others follow).",
        "--json adds the device key, the libp2p peer ID and the listen addresses."
      })
  public static final class Whoami extends NodeCommand {
    /** Without a node, the identity is still in the key files (when they are not sealed). */
    @Override
    public Integer call() throws Exception {
      try {
        return super.call();
      } catch (CliException e) {
        if (e.exitCode() != ExitCode.NO_NODE) {
          throw e;
        }
        DataDir dir = options.dataDir();
        ObjectNode o;
        try {
          o =
              object()
                  .put("identity", LocalKeys.identity(dir, () -> null).toString())
                  .put(
                      "device",
                      LocalKeys.read(LocalKeys.deviceFile(dir), KeyRole.KEY_ROLE_DEVICE, null, "")
                          .publicKey()
                          .toHex())
                  .put("peer_id", LocalKeys.peer(dir, false).toString());
        } catch (CliException sealedOrMissing) {
          throw e; // Say what the user can do: start the node.
        }
        o.putArray("listen_addrs"); // Not listening: no node runs.
        print(o, o.path("identity").asText());
        return 0;
      }
    }

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode s = api.get("/v1/status");
      ObjectNode o =
          object()
              .put("identity", s.path("identity").asText())
              .put("device", s.path("device").asText())
              .put("peer_id", s.path("peer_id").asText());
      o.set("listen_addrs", s.path("listen_addrs"));
      print(o, s.path("identity").asText());
    }
  }

  @Command(
      name = "peers",
      mixinStandardHelpOptions = true,
      description = "The peers this node is connected to, and how many more it knows of.")
  public static final class Peers extends NodeCommand {
    @Override
    void run(ApiClient api) throws CliException {
      JsonNode p = api.get("/v1/peers");
      if (options.json()) {
        System.out.println(p);
        return;
      }
      for (JsonNode c : p.path("connected")) {
        System.out.println(
            c.path("peer_id").asText()
                + "  "
                + c.path("address").asText()
                + "  "
                + c.path("direction").asText()
                + (c.path("relayed").asBoolean() ? " relayed" : "")
                + (c.path("agent").isTextual() ? "  " + c.path("agent").asText() : ""));
      }
      System.err.println(
          p.path("connected").size()
              + " connected, "
              + p.path("known").size()
              + " known"
              + (p.path("connected").isEmpty()
                  ? " (connect with `grapevine follow INVITE` or `grapevine run --bootstrap MULTIADDR`)"
                  : ""));
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "How the node is doing: identity, addresses, connections, follows, entries held and sync.",
        "With --watch, follow catch-up sync with a progress bar until nothing waits (Ctrl-C stops)."
      })
  public static final class Status extends NodeCommand {
    @Option(
        names = {"-w", "--watch"},
        description = "Poll every second and show catch-up progress until it is done.")
    boolean watch;

    /** For tests: give up watching after this many polls. */
    @Option(names = "--max-polls", hidden = true, defaultValue = "0")
    int maxPolls;

    @Override
    void run(ApiClient api) throws CliException, InterruptedException {
      JsonNode s = api.get("/v1/status");
      if (options.json()) {
        System.out.println(s);
      } else {
        System.out.println(human(s));
      }
      if (watch) {
        new SyncProgress(api, options.json(), maxPolls).watch(s);
      }
    }

    /**
     * The {@code circle} part (issue 17): logs kept without following them, of identities that the
     * followed ones follow, within budgets.
     */
    /** The {@code media} part (issue 18): files held, fetched, failed; peers penalised. */
    private static void media(StringBuilder sb, JsonNode m) {
      if (m.isMissingNode()) {
        return;
      }
      long failed = 0;
      long faults = 0;
      for (var e : m.properties()) {
        if (e.getKey().startsWith("fetch_failed_")) {
          failed += e.getValue().asLong();
        } else if (e.getKey().startsWith("peer_fault_")) {
          faults += e.getValue().asLong();
        }
      }
      sb.append("\nmedia:        ")
          .append(m.path("held_bytes").asLong())
          .append(" bytes of files held (budget ")
          .append(m.path("budget_bytes").asLong())
          .append(", ")
          .append(m.path("per_author_bytes").asLong())
          .append(" per author); ")
          .append(m.path("fetched").asLong())
          .append(" fetched, ")
          .append(failed)
          .append(" not fetched");
      if (faults > 0) {
        sb.append("; ")
            .append(faults)
            .append(" Bitswap faults of peers, ")
            .append(m.path("peers_disconnected").asLong())
            .append(" peers disconnected");
      }
    }

    private static void circle(StringBuilder sb, JsonNode c) {
      if (c.isMissingNode()) {
        return;
      }
      if (!c.path("enabled").asBoolean()) {
        sb.append("\ncircle:       off");
        return;
      }
      sb.append("\ncircle:       ")
          .append(c.path("identities").asInt())
          .append(" identities followed by those you follow (at most ")
          .append(c.path("max_identities").asInt())
          .append("), ")
          .append(c.path("held_bytes").asLong())
          .append(" of ")
          .append(c.path("total_bytes").asLong())
          .append(" bytes held, at most ")
          .append(c.path("per_identity_bytes").asLong())
          .append(" each");
      if (c.path("not_fetched").asLong() > 0) {
        sb.append("; ").append(c.path("not_fetched").asLong()).append(" at a budget, not fetched");
      }
      if (c.path("dht_topics").asInt() > 0) {
        sb.append("; ")
            .append(c.path("dht_topics").asInt())
            .append(" looked up in the DHT, ")
            .append(c.path("dht_topic_peers").asInt())
            .append(" peers kept for them");
      }
      if (c.path("refused_entries").asLong() > 0) {
        sb.append("; refused for budget: ")
            .append(c.path("refused_entries").asLong())
            .append(" entries, ")
            .append(c.path("refused_bytes").asLong())
            .append(" bytes");
      }
      int shown = 0;
      for (JsonNode m : c.path("members")) {
        if (shown++ == 10) {
          sb.append("\nin circle:    and ")
              .append(c.path("identities").asInt() - 10)
              .append(" more (grapevine status --json lists up to 100)");
          break;
        }
        sb.append("\nin circle:    ")
            .append(m.path("identity").asText())
            .append(" (followed by ")
            .append(m.path("followed_by").asInt())
            .append(", ")
            .append(m.path("held_bytes").asLong())
            .append(" bytes")
            .append(m.path("fetched").asBoolean() ? "" : ", not fetched")
            .append(')');
      }
    }

    /** The {@code nat} part: reachability, relays both ways, hole punches. */
    private static void nat(StringBuilder sb, JsonNode n) {
      if (n.isMissingNode()) {
        return;
      }
      sb.append("\nreachable:    ")
          .append(n.path("reachable").asBoolean() ? "yes" : "no")
          .append(" (AutoNAT: ")
          .append(n.path("reachability").asText())
          .append(')');
      for (JsonNode a : n.path("observed_addrs")) {
        sb.append("\nobserved at:  ").append(a.asText());
      }
      for (JsonNode a : n.path("observed_unconfirmed")) {
        sb.append("\nobserved at:  ").append(a.asText()).append(" (not confirmed)");
      }
      for (JsonNode a : n.path("reservations").path("circuit_addrs")) {
        sb.append("\nvia relay:    ").append(a.asText());
      }
      JsonNode hop = n.path("relay_service");
      if (hop.path("on").asBoolean()) {
        sb.append("\nrelaying:     ")
            .append(hop.path("reservations").asInt())
            .append(" reservations, ")
            .append(hop.path("circuits").asInt())
            .append(" circuits for others");
      }
      sb.append("\nrelayed:      ")
          .append(n.path("relayed_connections").asInt())
          .append(" of our connections go through a relay");
      if (!n.path("hole_punches").isEmpty()) {
        sb.append("\nhole punches: ").append(n.path("hole_punches"));
      }
    }

    static String human(JsonNode s) {
      StringBuilder sb = new StringBuilder();
      sb.append("identity:     ").append(s.path("identity").asText()).append('\n');
      sb.append("peer id:      ").append(s.path("peer_id").asText()).append('\n');
      for (JsonNode a : s.path("listen_addrs")) {
        sb.append("listening:    ").append(a.asText()).append('\n');
      }
      sb.append("connections:  ").append(s.path("connections").asInt()).append('\n');
      sb.append("following:    ")
          .append(s.path("follows").asInt())
          .append(" (muted ")
          .append(s.path("mutes").asInt())
          .append(")\n");
      sb.append("entries held: ").append(s.path("entries_stored").asLong()).append('\n');
      for (JsonNode f : s.path("forked")) {
        sb.append("forked:       ")
            .append(f.asText())
            .append(" signed two histories (its profile shows the evidence)\n");
      }
      JsonNode sync = s.path("sync");
      long waiting = sync.path("gap_buffered").asLong();
      sb.append("sync:         ")
          .append(
              waiting == 0 ? "caught up" : waiting + " entries wait for missing ones (catching up)")
          .append("; since start ")
          .append(sync.path("stored_from_sync").asLong())
          .append(" from sync, ")
          .append(sync.path("stored_from_gossip").asLong())
          .append(" from gossip");
      JsonNode dht = s.path("dht");
      if (!dht.isMissingNode()) {
        sb.append("\ndht:          ").append(dht.path("mode").asText());
        if (!"off".equals(dht.path("mode").asText())) {
          sb.append(" mode, ")
              .append(dht.path("routing_table").asInt())
              .append(" peers in the routing table");
        }
        for (JsonNode t : dht.path("topics")) {
          sb.append("\ntopic peers:  ")
              .append(t.path("connected").asInt())
              .append(" connected (")
              .append(t.path("topic_peers").asInt())
              .append(" found in the DHT) for ")
              .append(t.path("identity").asText());
        }
      }
      circle(sb, s.path("circle"));
      media(sb, s.path("media"));
      nat(sb, s.path("nat"));
      return sb.toString();
    }
  }
}
