package org.grapevine.node.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;

/**
 * {@code config.toml}: reads and checks it, and writes the documented default file. The option
 * table below is the single source of both, so the written documentation cannot drift from what the
 * parser accepts (a test uncomments the default file and expects {@link NodeConfig#defaults}).
 *
 * <p>Checks, in order: 1. size ({@link #MAX_FILE_BYTES}); 2. TOML syntax; 3. only known sections
 * and options; 4. each value's type and range. The first problem is reported as a {@link
 * ConfigException}.
 */
public final class ConfigFile {
  /** A hand-written config is a few KiB; anything larger is not one. */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  /** Bootstrap peers are a handful; the bound keeps a bad file from dialling thousands. */
  public static final int MAX_BOOTSTRAP = 64;

  @SuppressWarnings("ArrayRecordComponent") // a constant table of options, never compared
  private record Option(String section, String name, String defaultToml, String... doc) {}

  private static final NodeConfig D = NodeConfig.defaults();
  private static final List<Option> OPTIONS =
      List.of(
          new Option(
              "network",
              "host",
              "\"" + D.network().host() + "\"",
              "Address the libp2p host listens on. \"0.0.0.0\" (every interface) lets peers on the LAN",
              "and mDNS reach the node; \"127.0.0.1\" keeps it reachable from this machine only. The",
              "local API listens on 127.0.0.1 whatever this says."),
          new Option(
              "network",
              "port",
              Integer.toString(D.network().port()),
              "TCP port of the libp2p host; 0 picks a free port at every start (give a fixed one if",
              "other nodes bootstrap from this one)."),
          new Option(
              "network",
              "bootstrap",
              toml(D.network().bootstrap()),
              "Peers to connect to at start, as multiaddrs with the peer id, for example",
              "[\"/ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...\"], or DNS names: /dnsaddr/<name> (TXT records",
              "of _dnsaddr.<name>, optionally with /p2p/<id> to keep one peer) or",
              "/dns4/<name>/tcp/<port>/p2p/<id>. At most "
                  + MAX_BOOTSTRAP
                  + ". The default is the public",
              "libp2p bootstrap peer that this node can authenticate; [] dials nobody (LAN and known",
              "peers only). With a swarm key the public peers are never dialled."),
          new Option(
              "network",
              "mdns",
              Boolean.toString(D.network().mdns()),
              "Find peers on the local network with mDNS."),
          new Option(
              "network",
              "swarm_key",
              "\"\"",
              "Swarm key file of a private network (relative to the data directory); \"\" = the public network."),
          new Option(
              "network",
              "announce_follows",
              Boolean.toString(D.dht().announceFollows()),
              "Announce in the DHT that this node carries the topics of the identities it follows,",
              "so that their other followers find it. Anyone who knows an identity can then see",
              "which peers (and addresses) follow it. false: announce only our own identity's topic;",
              "the node still finds the topics it follows, but is not found through them."),
          new Option(
              "network",
              "target_connections",
              Integer.toString(D.network().targetConnections()),
              "Connections the node tries to keep open (0 to " + "max_connections)."),
          new Option(
              "network",
              "max_connections",
              Integer.toString(D.network().maxConnections()),
              "Connections the node accepts at most (1 to 10000)."),
          new Option(
              "api",
              "port",
              Integer.toString(D.api().port()),
              "Port of the local HTTP API on 127.0.0.1; 0 picks a free port. Either way the running",
              "node writes its address to the file api.endpoint in the data directory."),
          new Option(
              "sync",
              "interval_seconds",
              Long.toString(D.sync().interval().toSeconds()),
              "Seconds between catch-up sync rounds with connected peers (1 to 86400)."),
          new Option(
              "budgets",
              "identity_quota_bytes",
              Long.toString(D.budgets().identityQuotaBytes()),
              "Content bytes kept per identity (256 MiB by default; 1 MiB to 1 TiB)."),
          new Option(
              "budgets",
              "attachment_max_bytes",
              Long.toString(D.budgets().attachmentMaxBytes()),
              "Largest attachment accepted, posted or fetched (16 MiB by default; 1 byte to",
              "1 GiB)."),
          new Option(
              "budgets",
              "media_per_author_bytes",
              Long.toString(D.budgets().mediaPerAuthorBytes()),
              "Bytes of media files (pictures, attachments) kept per author (256 MiB by default;",
              "0 to 1 TiB); files over it are not fetched and their posts say so."),
          new Option(
              "budgets",
              "media_total_bytes",
              Long.toString(D.budgets().mediaTotalBytes()),
              "Bytes of media files kept in all (2 GiB by default; 0 to 16 TiB). Files of the",
              "people you follow are fetched as their posts arrive, others when you open them."),
          new Option(
              "budgets",
              "addressed_per_writer",
              Integer.toString(D.budgets().addressedPerWriter()),
              "Entries this node takes per window from one person it does not follow that address",
              "someone it follows (replies, mentions, reactions...; 0 to 100000); more are dropped",
              "and counted."),
          new Option(
              "budgets",
              "addressed_per_writer_bytes",
              Long.toString(D.budgets().addressedPerWriterBytes()),
              "Content bytes taken per window from one such person (0 to 1 GiB)."),
          new Option(
              "budgets",
              "addressed_per_addressee",
              Integer.toString(D.budgets().addressedPerAddressee()),
              "Such entries taken per window for one addressee from all such people together",
              "(0 to 1000000): what stops a flood from many new identities."),
          new Option(
              "budgets",
              "addressed_window_seconds",
              Integer.toString(D.budgets().addressedWindowSeconds()),
              "The window of the three limits above, in seconds (1 to 86400)."),
          new Option(
              "budgets",
              "addressed_total_bytes",
              Long.toString(D.budgets().addressedTotalBytes()),
              "Bytes of all such entries kept (64 MiB by default; 1 MiB to 1 TiB); past it the",
              "oldest are removed and counted."),
          new Option(
              "dht",
              "mode",
              "\"" + D.dht().mode().name().toLowerCase(java.util.Locale.ROOT) + "\"",
              "The libp2p Kademlia DHT, which finds the peers of the identities you follow:",
              "\"server\" answers other peers' lookups (only for a node others can dial),",
              "\"client\" only asks, \"off\" uses no DHT; \"auto\" is server in a private mesh or",
              "on a public address, client otherwise."),
          new Option(
              "dht",
              "topic_peers",
              Integer.toString(D.dht().topicPeers()),
              "A followed identity with fewer connected peers carrying its topic is looked up in",
              "the DHT (0 to 64; 0: only when first followed)."),
          new Option(
              "nat",
              "autonat",
              Boolean.toString(D.nat().autonat()),
              "Ask peers whether this node can be dialled from the internet (AutoNAT), and answer",
              "when they ask. What they find decides the DHT mode (auto), the relay service (auto)",
              "and whether to reserve relay slots."),
          new Option(
              "nat",
              "autonat_confidence",
              Integer.toString(D.nat().autonatConfidence()),
              "Peers that must agree before the node calls itself reachable or not (1 to 8); a",
              "network with a single public peer needs 1."),
          new Option(
              "nat",
              "relay_service",
              "\"" + D.nat().relayService().name().toLowerCase(java.util.Locale.ROOT) + "\"",
              "Relay connections for peers behind NATs (circuit relay v2, with limits per circuit):",
              "\"auto\" while this node is reachable from the internet, \"on\", or \"off\"."),
          new Option(
              "nat",
              "relays",
              Integer.toString(D.nat().relays()),
              "Relay slots a node that cannot be dialled reserves on public peers (0 to 8), so that",
              "others reach it through them; 0 reserves none."),
          new Option(
              "nat",
              "hole_punch",
              Boolean.toString(D.nat().holePunch()),
              "Turn a relayed connection into a direct one by dialling each other at once (DCUtR)."),
          new Option(
              "search",
              "enabled",
              Boolean.toString(D.search().enabled()),
              "Keep a full-text search index of held posts and profiles (GET /v1/search,",
              "`grapevine search`) in search/ of the data directory. false saves its disk space and",
              "ingestion time on a small node; turned on again, it is rebuilt from the store at start."),
          new Option(
              "feeds",
              "window_hours",
              Integer.toString(D.feeds().windowHours()),
              "Feeds rank the posts of the last this many hours (1 to 8760)."),
          new Option(
              "feeds",
              "window_posts",
              Integer.toString(D.feeds().windowPosts()),
              "At most this many of them, newest first (100 to 1000000)."),
          new Option(
              "feeds",
              "cost_per_candidate",
              Long.toString(D.feeds().costPerCandidate()),
              "The most a feed's filter and score may cost per post, in evaluation steps (docs/FEEDS.md);",
              "a costlier feed is refused when published and when loaded (100 to 1000000)."),
          new Option(
              "feeds",
              "cost_per_page",
              Long.toString(D.feeds().costPerPage()),
              "The most one ranking may cost; a costlier feed ranks only the newest posts that fit",
              "(10000 to 10000000000)."),
          new Option(
              "circle",
              "enabled",
              Boolean.toString(D.circle().enabled()),
              "Keep the logs of people that the people you follow follow (not shown in Following), so",
              "that feeds such as Friends of friends have something to rank."),
          new Option(
              "circle",
              "per_identity_bytes",
              Long.toString(D.circle().perIdentityBytes()),
              "The most kept of each such log (4096 to 1099511627776)."),
          new Option(
              "circle",
              "total_bytes",
              Long.toString(D.circle().totalBytes()),
              "The most kept of all of them together (0 to 1099511627776)."),
          new Option(
              "circle",
              "max_identities",
              Integer.toString(D.circle().maxIdentities()),
              "The most such identities kept, those followed by most of your follows first (0 to 100000)."));

  private ConfigFile() {}

  /** A TOML array of strings (the strings are multiaddrs: no quotes or backslashes in them). */
  private static String toml(List<String> strings) {
    return strings.stream().map(x -> "\"" + x + "\"").collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * The file a first run writes: every option commented out, with its documentation and default.
   */
  public static String defaultText() {
    StringBuilder sb =
        new StringBuilder()
            .append("# Grapevine node configuration.\n")
            .append(
                "# Every option is listed with its default value, commented out: remove the leading \"# \"\n")
            .append(
                "# of an option's last line to change it. Flags of `grapevine run` override this file.\n");
    String section = null;
    for (Option o : OPTIONS) {
      if (!o.section().equals(section)) {
        section = o.section();
        sb.append("\n[").append(section).append("]\n");
      }
      for (String line : o.doc()) {
        sb.append("# ").append(line).append('\n');
      }
      sb.append("# ").append(o.name()).append(" = ").append(o.defaultToml()).append("\n\n");
    }
    return sb.toString().strip() + "\n";
  }

  /** Reads and checks {@code file}; relative paths in it are resolved against {@code dataDir}. */
  public static NodeConfig read(Path file, Path dataDir) throws ConfigException {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ConfigException(
            file,
            null,
            size
                + " bytes, more than the "
                + MAX_FILE_BYTES
                + " a config file may have; is it the right file? Delete it to get a fresh default one.");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, null, "does not exist");
    } catch (IOException e) {
      throw new ConfigException(file, null, "cannot be read (" + e + "); check its permissions");
    }
    return parse(file, new String(bytes, StandardCharsets.UTF_8), dataDir);
  }

  /** Checks TOML text; {@code file} only names the source in messages. */
  public static NodeConfig parse(Path file, String text, Path dataDir) throws ConfigException {
    if (text.length() > MAX_FILE_BYTES) {
      throw new ConfigException(
          file, null, "more than " + MAX_FILE_BYTES + " characters; is it the right file?");
    }
    JsonNode root;
    try {
      root = new TomlMapper().readTree(text);
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(
          file,
          null,
          "is not valid TOML"
              + where
              + " ("
              + e.getOriginalMessage()
              + "); fix it, or delete the file to get a fresh default one");
    }
    Map<String, JsonNode> values =
        flatten(file, root == null ? new TomlMapper().createObjectNode() : root);
    Values v = new Values(file, values);
    NodeConfig d = NodeConfig.defaults();
    String swarmKey = v.string("network.swarm_key", "");
    int maxConnections =
        v.integer("network.max_connections", d.network().maxConnections(), 1, 10_000);
    NodeConfig.Network network =
        new NodeConfig.Network(
            v.host("network.host", d.network().host()),
            v.integer("network.port", d.network().port(), 0, 65_535),
            v.bootstrap("network.bootstrap", d.network().bootstrap()),
            v.bool("network.mdns", d.network().mdns()),
            swarmKey.isEmpty() ? null : dataDir.resolve(swarmKey).toAbsolutePath().normalize(),
            v.integer(
                "network.target_connections", d.network().targetConnections(), 0, maxConnections),
            maxConnections);
    return new NodeConfig(
        network,
        new NodeConfig.Api(v.integer("api.port", d.api().port(), 0, 65_535)),
        new NodeConfig.Sync(
            java.time.Duration.ofSeconds(
                v.integer(
                    "sync.interval_seconds", (int) d.sync().interval().toSeconds(), 1, 86_400))),
        new NodeConfig.Budgets(
            v.longValue(
                "budgets.identity_quota_bytes",
                d.budgets().identityQuotaBytes(),
                1L << 20,
                1L << 40),
            v.longValue(
                "budgets.attachment_max_bytes", d.budgets().attachmentMaxBytes(), 1, 1L << 30),
            v.integer("budgets.addressed_per_writer", d.budgets().addressedPerWriter(), 0, 100_000),
            v.longValue(
                "budgets.addressed_per_writer_bytes",
                d.budgets().addressedPerWriterBytes(),
                0,
                1L << 30),
            v.integer(
                "budgets.addressed_per_addressee",
                d.budgets().addressedPerAddressee(),
                0,
                1_000_000),
            v.integer(
                "budgets.addressed_window_seconds",
                d.budgets().addressedWindowSeconds(),
                1,
                86_400),
            v.longValue(
                "budgets.addressed_total_bytes",
                d.budgets().addressedTotalBytes(),
                1L << 20,
                1L << 40),
            v.longValue(
                "budgets.media_per_author_bytes", d.budgets().mediaPerAuthorBytes(), 0, 1L << 40),
            v.longValue("budgets.media_total_bytes", d.budgets().mediaTotalBytes(), 0, 1L << 44)),
        new NodeConfig.Dht(
            v.dhtMode("dht.mode", d.dht().mode()),
            v.integer("dht.topic_peers", d.dht().topicPeers(), 0, 64),
            v.bool("network.announce_follows", d.dht().announceFollows())),
        new NodeConfig.Nat(
            v.bool("nat.autonat", d.nat().autonat()),
            v.integer("nat.autonat_confidence", d.nat().autonatConfidence(), 1, 8),
            v.relayService("nat.relay_service", d.nat().relayService()),
            v.integer("nat.relays", d.nat().relays(), 0, 8),
            v.bool("nat.hole_punch", d.nat().holePunch())),
        new NodeConfig.Search(v.bool("search.enabled", d.search().enabled())),
        new NodeConfig.Feeds(
            v.integer("feeds.window_hours", d.feeds().windowHours(), 1, 8760),
            v.integer("feeds.window_posts", d.feeds().windowPosts(), 100, 1_000_000),
            v.longValue("feeds.cost_per_candidate", d.feeds().costPerCandidate(), 100, 1_000_000),
            v.longValue("feeds.cost_per_page", d.feeds().costPerPage(), 10_000, 10_000_000_000L)),
        new NodeConfig.Circle(
            v.bool("circle.enabled", d.circle().enabled()),
            v.longValue("circle.per_identity_bytes", d.circle().perIdentityBytes(), 4096, 1L << 40),
            v.longValue("circle.total_bytes", d.circle().totalBytes(), 0, 1L << 40),
            v.integer("circle.max_identities", d.circle().maxIdentities(), 0, 100_000)));
  }

  /** section.name to value; refuses unknown sections and options and top-level values. */
  private static Map<String, JsonNode> flatten(Path file, JsonNode root) throws ConfigException {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> s : root.properties()) {
      List<String> names = new ArrayList<>();
      for (Option o : OPTIONS) {
        if (o.section().equals(s.getKey())) {
          names.add(o.name());
        }
      }
      if (names.isEmpty()) {
        throw new ConfigException(
            file,
            s.getKey(),
            "unknown "
                + (s.getValue().isObject() ? "section" : "option")
                + "; the sections are [network], [api], [sync], [budgets], [dht], [nat], [search], [feeds] and [circle]");
      }
      if (!s.getValue().isObject()) {
        throw new ConfigException(
            file, s.getKey(), "must be a section ([" + s.getKey() + "]), not a value");
      }
      for (Map.Entry<String, JsonNode> f : s.getValue().properties()) {
        if (!names.contains(f.getKey())) {
          throw new ConfigException(
              file,
              s.getKey() + "." + f.getKey(),
              "unknown option; [" + s.getKey() + "] knows " + String.join(", ", names));
        }
        out.put(s.getKey() + "." + f.getKey(), f.getValue());
      }
    }
    return out;
  }

  /**
   * Typed reads with the default for absent options; every failure names the option and the fix.
   */
  private record Values(Path file, Map<String, JsonNode> values) {
    int integer(String key, int dflt, int min, int max) throws ConfigException {
      return (int) longValue(key, dflt, min, max);
    }

    long longValue(String key, long dflt, long min, long max) throws ConfigException {
      JsonNode n = values.get(key);
      if (n == null) {
        return dflt;
      }
      if (!n.isIntegralNumber()
          || !n.canConvertToLong()
          || n.longValue() < min
          || n.longValue() > max) {
        throw bad(key, "must be an integer from " + min + " to " + max + ", got " + n);
      }
      return n.longValue();
    }

    boolean bool(String key, boolean dflt) throws ConfigException {
      JsonNode n = values.get(key);
      if (n == null) {
        return dflt;
      }
      if (!n.isBoolean()) {
        throw bad(key, "must be true or false, got " + n);
      }
      return n.booleanValue();
    }

    String string(String key, String dflt) throws ConfigException {
      JsonNode n = values.get(key);
      if (n == null) {
        return dflt;
      }
      if (!n.isTextual()) {
        throw bad(key, "must be a string in double quotes, got " + n);
      }
      return n.textValue();
    }

    NodeConfig.DhtMode dhtMode(String key, NodeConfig.DhtMode dflt) throws ConfigException {
      String m = string(key, dflt.name().toLowerCase(java.util.Locale.ROOT));
      for (NodeConfig.DhtMode mode : NodeConfig.DhtMode.values()) {
        if (mode.name().equalsIgnoreCase(m)) {
          return mode;
        }
      }
      throw bad(key, "must be \"auto\", \"server\", \"client\" or \"off\", got \"" + m + "\"");
    }

    NodeConfig.RelayService relayService(String key, NodeConfig.RelayService dflt)
        throws ConfigException {
      String m = string(key, dflt.name().toLowerCase(java.util.Locale.ROOT));
      for (NodeConfig.RelayService r : NodeConfig.RelayService.values()) {
        if (r.name().equalsIgnoreCase(m)) {
          return r;
        }
      }
      throw bad(key, "must be \"auto\", \"on\" or \"off\", got \"" + m + "\"");
    }

    String host(String key, String dflt) throws ConfigException {
      String h = string(key, dflt);
      if (!NetUtil.isValidIpV4Address(h) && !NetUtil.isValidIpV6Address(h)) {
        throw bad(
            key,
            "must be an IP address such as \"0.0.0.0\", \"127.0.0.1\" or \"::\", got \""
                + h
                + "\"");
      }
      return h;
    }

    List<String> bootstrap(String key, List<String> dflt) throws ConfigException {
      JsonNode n = values.get(key);
      if (n == null) {
        return dflt;
      }
      if (!n.isArray() || n.size() > MAX_BOOTSTRAP) {
        throw bad(
            key,
            "must be a list of at most "
                + MAX_BOOTSTRAP
                + " multiaddr strings, got "
                + abbreviate(n));
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : n) {
        if (!e.isTextual()) {
          throw bad(key, "every entry must be a multiaddr string, got " + abbreviate(e));
        }
        try {
          Multiaddr.parse(e.textValue());
        } catch (MultiaddrFormatException ex) {
          throw bad(key, "\"" + e.textValue() + "\" is not a multiaddr (" + ex.getMessage() + ")");
        }
        out.add(e.textValue());
      }
      return out;
    }

    private ConfigException bad(String key, String problem) {
      return new ConfigException(
          file, key, problem + "; fix the value, or delete the line to use the default");
    }

    private static String abbreviate(JsonNode n) {
      String s = n.toString();
      return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
  }
}
