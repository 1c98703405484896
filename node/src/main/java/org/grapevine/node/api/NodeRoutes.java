package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.mdns.MdnsAddresses;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.LogQueries;
import org.grapevine.node.Node;
import org.grapevine.node.ReachStatus;
import org.grapevine.node.core.Circle;
import org.grapevine.node.core.CircleStatus;
import org.grapevine.node.metrics.MetricFamily;
import org.grapevine.node.metrics.PrometheusText;

/** The node's own state: status, identity, peers, metrics (docs/API.md). */
final class NodeRoutes {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Node node;
  private final EventStream events;

  NodeRoutes(Node node, EventStream events) {
    this.node = node;
    this.events = events;
  }

  void register(Router r) {
    r.add("GET", "/v1/status", this::status)
        .add(
            "GET",
            "/v1/identity",
            q -> {
              q.onlyQuery();
              return ApiResponse.ok(identity());
            })
        .add("GET", "/v1/peers", this::peers)
        .add("GET", "/v1/metrics", this::metricsJson)
        .add(
            "GET",
            "/metrics",
            q -> {
              q.onlyQuery();
              return ApiResponse.text(
                  PrometheusText.write(node.metrics().snapshot()), PrometheusText.CONTENT_TYPE);
            });
  }

  private ObjectNode identity() {
    return F.objectNode()
        .put("identity", node.identity().toString())
        .put("device", node.device().toHex())
        .put("peer_id", node.host().peerId().toString());
  }

  private ApiResponse status(ApiRequest q) {
    q.onlyQuery();
    ObjectNode o = identity();
    o.put("device_state", node.deviceStatus().state().name().toLowerCase(Locale.ROOT));
    ArrayNode addrs = o.putArray("listen_addrs");
    for (Multiaddr a :
        MdnsAddresses.announceable(node.host().listenAddrs(), interfaceAddresses())) {
      addrs.add(a.withPeerId(node.host().peerId()).toString());
    }
    o.put("connections", node.host().connections().size())
        .put("follows", node.store().follows().size() - 1) // Without the node's own identity.
        .put("mutes", node.store().mutes().size())
        .put("blocks", node.store().blocks().size())
        .put("entries_stored", LogQueries.entriesStored(node.store()));
    ArrayNode forked = o.putArray("forked"); // Identities that signed two histories.
    node.store().forkedIdentities().forEach(i -> forked.add(i.toString()));
    o.putObject("sync")
        .put("gap_buffered", node.gapBuffered())
        .put("stored_from_sync", stored("sync"))
        .put("stored_from_gossip", stored("gossip"));
    o.put("event_streams", events.clients());
    circle(o.putObject("circle"), node.circle());
    // Feeds (issue 17): candidates in memory, evaluations and rankings made, drops counted.
    ObjectNode feeds = o.putObject("feeds");
    node.feeds().counters().forEach(feeds::put);
    // Media (issue 18): bytes held, fetches and their failures, Bitswap's counters, peer faults.
    ObjectNode media = o.putObject("media");
    org.grapevine.node.media.MediaUsage u = node.media().usage();
    media
        .put("held_bytes", u.storedBytes())
        .put("held_blocks", u.storedBlocks())
        .put("referenced_bytes", u.referencedBytes())
        .put("budget_bytes", node.media().budgets().totalBytes())
        .put("per_author_bytes", node.media().budgets().perAuthorBytes());
    node.media().counters().forEach(media::put);
    ObjectNode dht = o.putObject("dht");
    node.dhtStatus()
        .map(f -> f.join())
        .ifPresentOrElse(
            d -> {
              dht.put("mode", d.mode()).put("routing_table", d.routingTable());
              ArrayNode topics = dht.putArray("topics");
              d.topics()
                  .forEach(
                      (who, n) ->
                          topics
                              .addObject()
                              .put("identity", who.toString())
                              .put("topic_peers", n.kept())
                              .put("connected", n.connected()));
            },
            () -> dht.put("mode", "off"));
    nat(o.putObject("nat"), node.reachStatus());
    return ApiResponse.ok(o);
  }

  /**
   * {@code status.circle}: the extended circle (issue 17), its budgets, what they refused, and its
   * members in order (most followed by our follows first), the first {@link #MAX_CIRCLE_SHOWN}.
   */
  static final int MAX_CIRCLE_SHOWN = 100;

  private static void circle(ObjectNode c, CircleStatus s) {
    c.put("enabled", s.config().enabled())
        .put("per_identity_bytes", s.config().perIdentityBytes())
        .put("total_bytes", s.config().totalBytes())
        .put("max_identities", s.config().maxIdentities())
        .put("identities", s.members().size())
        .put("held_bytes", s.heldBytes())
        .put("not_fetched", s.notFetched())
        .put("refused_entries", s.refusedEntries())
        .put("refused_bytes", s.refusedBytes())
        .put("dht_topics", s.dhtTopics())
        .put("dht_topic_peers", s.dhtTopicPeers());
    // The first ones only: max_identities may be up to 100,000 and this is every status call.
    ArrayNode members = c.putArray("members");
    for (Circle.Member m : s.members().subList(0, Math.min(s.members().size(), MAX_CIRCLE_SHOWN))) {
      members
          .addObject()
          .put("identity", m.identity().toString())
          .put("followed_by", m.followedBy())
          .put("held_bytes", m.heldBytes())
          .put("fetched", m.fetched());
    }
  }

  /** {@code status.nat}: reachability, observed addresses, relays both ways, hole punches. */
  private static void nat(ObjectNode n, ReachStatus r) {
    n.put("reachability", r.reachability()).put("reachable", r.reachable());
    strings(n.putArray("observed_addrs"), r.observed());
    strings(n.putArray("observed_unconfirmed"), r.observedCandidates());
    strings(n.putArray("reachable_addrs"), r.reachableAddrs());
    ObjectNode res = n.putObject("reservations");
    strings(res.putArray("relays"), r.relays());
    strings(res.putArray("circuit_addrs"), r.circuitAddrs());
    n.putObject("relay_service")
        .put("on", r.relayService())
        .put("reservations", r.relayReservations())
        .put("circuits", r.relayCircuits())
        .put("relayed_bytes", r.relayedBytes());
    n.put("relayed_connections", r.relayedConnections())
        .put("relayed_connections_opened", r.relayedOpened());
    ObjectNode punches = n.putObject("hole_punches");
    r.holePunches().forEach(punches::put);
  }

  private static void strings(ArrayNode into, List<?> values) {
    values.forEach(v -> into.add(v.toString()));
  }

  /**
   * The addresses of the interfaces that are up, loopback included, without IPv6 link-local ones
   * (they need a zone to be dialled): what a wildcard listen address stands for.
   */
  static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = MdnsAddresses.interfaceAddresses();
    // Interfaces cannot be listed: the loopback address is still true for a wildcard.
    return out.isEmpty() ? List.of(InetAddress.getLoopbackAddress()) : out;
  }

  /** Entries stored from {@code source} since the node started, from the ingest counter. */
  private long stored(String source) {
    for (MetricFamily f : node.metrics().snapshot()) {
      if (f.name().equals("grapevine_ingest_total")) {
        return f.samples().stream()
            .filter(
                s ->
                    source.equals(s.labels().get("source"))
                        && "stored".equals(s.labels().get("outcome")))
            .mapToLong(MetricFamily.Sample::value)
            .sum();
      }
    }
    return 0;
  }

  private ApiResponse peers(ApiRequest q) {
    q.onlyQuery();
    ObjectNode o = F.objectNode();
    ArrayNode connected = o.putArray("connected");
    for (Connection c : node.host().connections()) {
      ObjectNode p =
          connected
              .addObject()
              .put("peer_id", c.remotePeer().toString())
              .put("address", c.remoteAddr().toString())
              .put("direction", c.direction().name().toLowerCase(Locale.ROOT))
              .put("relayed", c.isRelayed());
      p.put("agent", c.identify().map(i -> i.agentVersion()).orElse(null));
    }
    ArrayNode known = o.putArray("known");
    for (Map.Entry<PeerId, List<String>> e : node.host().peerStore().snapshot().entrySet()) {
      ArrayNode a = known.addObject().put("peer_id", e.getKey().toString()).putArray("addresses");
      e.getValue().forEach(a::add);
    }
    return ApiResponse.ok(o);
  }

  private ApiResponse metricsJson(ApiRequest q) {
    q.onlyQuery();
    ObjectNode o = F.objectNode();
    ArrayNode arr = o.putArray("metrics");
    for (MetricFamily f : node.metrics().snapshot()) {
      ObjectNode m =
          arr.addObject().put("name", f.name()).put("type", f.type()).put("help", f.help());
      ArrayNode samples = m.putArray("samples");
      for (MetricFamily.Sample s : f.samples()) {
        ObjectNode labels = F.objectNode();
        s.labels().forEach(labels::put);
        samples.addObject().<ObjectNode>set("labels", labels).put("value", s.value());
      }
    }
    return ApiResponse.ok(o);
  }
}
