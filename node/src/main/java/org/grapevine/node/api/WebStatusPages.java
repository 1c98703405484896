package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.Node;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.discovery.Invites;
import org.grapevine.node.engine.BudgetUsage;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.DeviceStatus;

/**
 * The web app's screens about the node itself: peers and connectivity (connections, sync, what the
 * node holds, budgets used) and settings (identity and devices, the community mesh key, budgets, an
 * invite with its QR code). Read from {@code /v1/status} and {@code /v1/peers} as the CLI does,
 * plus the node's configuration when the server was given it.
 */
final class WebStatusPages {
  private final Node node;
  private final WebApi api;
  private final WebPages pages;
  private final NodeConfig config;
  private final WebRecovery recovery;

  /**
   * @param config the node's configuration, for the mesh key and budgets; null when unknown (a node
   *     started without one, in tests)
   */
  WebStatusPages(Node node, WebApi api, WebPages pages, NodeConfig config, WebRecovery recovery) {
    this.node = node;
    this.api = api;
    this.pages = pages;
    this.config = config;
    this.recovery = recovery;
  }

  void register(Router r) {
    r.add("GET", "/peers", q -> ApiResponse.html(peers(q)))
        .add("GET", "/settings", q -> ApiResponse.html(settings(q)))
        .add("POST", "/web/recovery-phrase", q -> ApiResponse.html(phrase(q)));
  }

  /** The recovery phrase, shown once on its own page (answers are never cached: no-store). */
  private String phrase(ApiRequest q) {
    java.util.Map<String, String> f = WebActions.form(q, "passphrase");
    String given = f.getOrDefault("passphrase", "");
    String words = recovery.phrase(given.toCharArray(), System.currentTimeMillis());
    return pages.page(
        "Recovery phrase",
        "/settings",
        "<h1>Recovery phrase</h1>\n<p>These 24 words restore your identity on any machine"
            + " (<code>grapevine identity import --phrase</code>). Write them down and keep them"
            + " offline; whoever has them is you.</p>\n<p class=\"phrase mono\">"
            + WebGuard.escape(words)
            + "</p>\n<p><a href=\"/settings\">Back to settings</a></p>");
  }

  private String phraseForm() {
    if (!recovery.available()) {
      return "<p>This data directory does not hold the root key (it runs as one of the identity's"
          + " devices): export the phrase where the root key is, with <code>grapevine identity"
          + " export --phrase</code>.</p>\n";
    }
    boolean sealed = recovery.sealed();
    return "<form method=\"post\" action=\"/web/recovery-phrase\" class=\"profile\">\n<p>The"
        + " 24 words that restore this identity, made from its root key.</p>\n"
        + (sealed
            ? "<label for=\"passphrase\">Passphrase of this node's keys</label>\n<input"
                + " id=\"passphrase\" name=\"passphrase\" type=\"password\" required"
                + " autocomplete=\"current-password\">\n"
            : "<p class=\"warn\">The keys here are not sealed with a passphrase: anyone using this"
                + " computer can read them.</p>\n")
        + "<button type=\"submit\">Show the recovery phrase</button>\n</form>\n";
  }

  private String peers(ApiRequest q) {
    q.onlyQuery();
    JsonNode s = api.get("/v1/status");
    JsonNode p = api.get("/v1/peers");
    StringBuilder b = new StringBuilder("<h1>Peers and connectivity</h1>\n<dl class=\"facts\">\n");
    fact(b, "Connections", s.path("connections").asText());
    fact(b, "Reachability", s.path("nat").path("reachability").asText("unknown"));
    fact(b, "DHT", s.path("dht").path("mode").asText());
    fact(b, "Entries held", s.path("entries_stored").asText());
    fact(b, "Waiting for earlier entries", s.path("sync").path("gap_buffered").asText());
    fact(
        b,
        "Stored from sync / gossip",
        s.path("sync").path("stored_from_sync").asText()
            + " / "
            + s.path("sync").path("stored_from_gossip").asText());
    fact(
        b,
        "Follows · mutes · blocks",
        s.path("follows").asText()
            + " · "
            + s.path("mutes").asText()
            + " · "
            + s.path("blocks").asText());
    b.append("</dl>\n<h2>Listening on</h2>\n<ul class=\"plain mono\">\n");
    for (JsonNode a : s.path("listen_addrs")) {
      b.append("<li>").append(WebGuard.escape(a.asText())).append("</li>\n");
    }
    b.append("</ul>\n<h2>Connected peers</h2>\n");
    table(b, List.of("Peer", "Address", "Direction", "Agent"), rows(p.path("connected")));
    b.append(
        "<h2>Budgets used</h2>\n<p>Content held per identity, against this node's quota.</p>\n");
    List<List<String>> used = new ArrayList<>();
    for (Identity who : node.store().follows()) {
      BudgetUsage u = node.usage(who);
      used.add(
          List.of(
              WebEntries.shortId(who.toString()),
              mib(u.usedBytes())
                  + " of "
                  + mib(u.quotaBytes())
                  + (u.full() ? " (full: new content is not fetched)" : "")));
    }
    table(b, List.of("Identity", "Used"), used);
    circle(b, s.path("circle"));
    return pages.page("Peers", "/peers", b.toString());
  }

  /** The extended circle (issue 17), from {@code status.circle}: its budgets and members. */
  private static void circle(StringBuilder b, JsonNode c) {
    b.append("<h2>Extended circle</h2>\n");
    if (!c.path("enabled").asBoolean()) {
      b.append("<p>Off (<code>[circle]</code> in <code>config.toml</code>).</p>\n");
      return;
    }
    b.append(
        "<p>Logs kept without following them, of people that the people you follow follow, so"
            + " that feeds have more to rank.</p>\n<dl class=\"facts\">\n");
    fact(
        b,
        "Identities",
        c.path("identities").asText() + " of at most " + c.path("max_identities").asText());
    fact(
        b,
        "Held",
        mib(c.path("held_bytes").asLong())
            + " of "
            + mib(c.path("total_bytes").asLong())
            + ", at most "
            + mib(c.path("per_identity_bytes").asLong())
            + " each");
    fact(
        b,
        "Refused for budget",
        c.path("refused_entries").asText() + " entries, " + mib(c.path("refused_bytes").asLong()));
    b.append("</dl>\n");
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode m : c.path("members")) {
      rows.add(
          List.of(
              WebEntries.shortId(m.path("identity").asText()),
              m.path("followed_by").asText(),
              mib(m.path("held_bytes").asLong())
                  + (m.path("fetched").asBoolean() ? "" : " (at a budget: not fetched)")));
    }
    table(b, List.of("Identity", "Followed by your follows", "Held"), rows);
  }

  private static List<List<String>> rows(JsonNode connected) {
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode c : connected) {
      rows.add(
          List.of(
              c.path("peer_id").asText(),
              c.path("address").asText(),
              c.path("direction").asText(),
              c.path("agent").asText("?")));
    }
    return rows;
  }

  private String settings(ApiRequest q) {
    q.onlyQuery();
    JsonNode s = api.get("/v1/status");
    StringBuilder b =
        new StringBuilder("<h1>Settings</h1>\n<h2>Identity</h2>\n<dl class=\"facts\">\n");
    fact(b, "Identity", s.path("identity").asText());
    fact(
        b, "This device", s.path("device").asText() + " (" + s.path("device_state").asText() + ")");
    b.append("</dl>\n<h3>Devices</h3>\n");
    List<List<String>> devices = new ArrayList<>();
    for (Map.Entry<AuthorKey, DeviceStatus> d : node.store().devices(node.identity()).entrySet()) {
      devices.add(
          List.of(d.getKey().toHex(), d.getValue().state().name().toLowerCase(Locale.ROOT)));
    }
    table(b, List.of("Device key", "State"), devices);
    b.append("<p>Add or revoke a device with <code>grapevine device</code>.</p>\n")
        .append("<h3>Recovery phrase</h3>\n")
        .append(phraseForm());
    b.append("<h2>Community mesh</h2>\n");
    if (config == null) {
      b.append("<p>Not known: the node was started without its configuration.</p>\n");
    } else if (config.network().swarmKey() == null) {
      b.append("<p>This node is on the public network (no mesh key). A community shares a key")
          .append(" with <code>grapevine mesh</code>.</p>\n");
    } else {
      b.append("<p>Private mesh: this node talks only to peers holding the key in <code>")
          .append(WebGuard.escape(config.network().swarmKey().toString()))
          .append("</code>.</p>\n");
    }
    b.append("<h2>Budgets</h2>\n");
    if (config != null) {
      b.append("<dl class=\"facts\">\n");
      fact(b, "Content per identity", mib(config.budgets().identityQuotaBytes()));
      fact(b, "Largest attachment", mib(config.budgets().attachmentMaxBytes()));
      b.append("</dl>\n<p>Set in <code>config.toml</code>, <code>[budgets]</code>.</p>\n");
    } else {
      b.append("<p>Not known: the node was started without its configuration.</p>\n");
    }
    b.append("<p>What each identity uses now: <a href=\"/peers\">Peers</a>.</p>\n");
    b.append("<h2>Invite</h2>\n").append(invite(s));
    return pages.page("Settings", "/settings", b.toString());
  }

  /** An invite to follow this node's identity, as text and as a QR code. */
  private static String invite(JsonNode s) {
    try {
      List<Multiaddr> addrs = new ArrayList<>();
      for (JsonNode a : s.path("listen_addrs")) {
        addrs.add(Multiaddr.parse(a.asText()));
      }
      for (JsonNode a : s.path("nat").path("reservations").path("circuit_addrs")) {
        addrs.add(Multiaddr.parse(a.asText()));
      }
      String invite =
          Invites.of(
                  WebPages.parsed(s.path("identity").asText()),
                  PeerId.parse(s.path("peer_id").asText()),
                  addrs)
              .toString();
      return "<p>Whoever has this link can follow you and reach this node:"
          + " <code class=\"invite\">"
          + WebGuard.escape(invite)
          + "</code></p>\n<figure>"
          + QrSvg.of(invite)
          + "<figcaption>The invite as a QR code</figcaption></figure>\n";
    } catch (IllegalArgumentException | org.grapevine.libp2p.multiaddr.MultiaddrFormatException e) {
      return "<p>No invite: " + WebGuard.escape(e.getMessage()) + "</p>\n";
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  private static void fact(StringBuilder b, String name, String value) {
    b.append("<dt>")
        .append(name)
        .append("</dt><dd>")
        .append(WebGuard.escape(value))
        .append("</dd>\n");
  }

  private static void table(StringBuilder b, List<String> head, List<List<String>> rows) {
    if (rows.isEmpty()) {
      b.append("<p class=\"empty\">None.</p>\n");
      return;
    }
    b.append("<div class=\"scroll\"><table>\n<thead><tr>");
    head.forEach(h -> b.append("<th scope=\"col\">").append(h).append("</th>"));
    b.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      b.append("<tr>");
      row.forEach(c -> b.append("<td>").append(WebGuard.escape(c)).append("</td>"));
      b.append("</tr>\n");
    }
    b.append("</tbody></table></div>\n");
  }
}
