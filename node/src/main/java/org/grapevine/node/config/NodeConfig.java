package org.grapevine.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.grapevine.node.engine.LooseLimits;

/**
 * Everything {@code config.toml} can set, with the defaults a first run writes. Values are checked
 * by {@link ConfigFile}; command-line flags replace single values with the {@code with*} methods.
 */
public record NodeConfig(
    Network network,
    Api api,
    Sync sync,
    Budgets budgets,
    Dht dht,
    Nat nat,
    Search search,
    Feeds feeds,
    Circle circle) {

  public static final int DEFAULT_API_PORT = 7320;

  /**
   * The public libp2p ("Amino", the IPFS DHT) bootstrap peers: the default {@code [network]
   * bootstrap} of a node on the public network, as kubo lists them ({@code
   * config/bootstrap_peers.go} in ipfs/kubo, without its fixed-IP {@code mars.i.ipfs.io} entries).
   * Resolved from {@code /dnsaddr} names (TXT records of {@code _dnsaddr.<name>}, each entry
   * keeping only the addresses of its own peer ID), so there is no Grapevine server and no address
   * written into the code. The four {@code Qm...} peers have RSA identity keys (verified by {@code
   * PubKey} like Ed25519 ones); va1 has an Ed25519 key. A node with a swarm key never uses this
   * list ({@code NodeLauncher}).
   */
  public static final List<String> PUBLIC_BOOTSTRAP =
      List.of(
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa",
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb",
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt",
          "/dnsaddr/va1.bootstrap.libp2p.io/p2p/12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8");

  /** The defaults: what a node uses when the file sets nothing. */
  public static NodeConfig defaults() {
    return new NodeConfig(
        new Network("0.0.0.0", 0, PUBLIC_BOOTSTRAP, true, null, 8, 64),
        new Api(DEFAULT_API_PORT),
        new Sync(Duration.ofSeconds(60)),
        new Budgets(256L << 20, 16L << 20),
        new Dht(DhtMode.AUTO, 4, true),
        new Nat(true, 3, RelayService.AUTO, 2, true),
        new Search(true),
        new Feeds(72, 50_000, 10_000, 50_000_000L),
        new Circle(true, 1L << 20, 64L << 20, 500));
  }

  /**
   * The defaults, but on 127.0.0.1 at a free port, without mDNS and without bootstrap peers: a node
   * reachable from this machine only that looks for nobody and never asks DNS or the internet
   * anything (tests, tools and the simulator's real engine).
   */
  public static NodeConfig loopback() {
    NodeConfig d = defaults();
    return d.withNetwork(
        d.network().withHost("127.0.0.1").withMdns(false).withBootstrap(List.of()));
  }

  public NodeConfig withNetwork(Network n) {
    return new NodeConfig(n, api, sync, budgets, dht, nat, search, feeds, circle);
  }

  public NodeConfig withApi(Api a) {
    return new NodeConfig(network, a, sync, budgets, dht, nat, search, feeds, circle);
  }

  public NodeConfig withSync(Sync s) {
    return new NodeConfig(network, api, s, budgets, dht, nat, search, feeds, circle);
  }

  public NodeConfig withBudgets(Budgets b) {
    return new NodeConfig(network, api, sync, b, dht, nat, search, feeds, circle);
  }

  public NodeConfig withDht(Dht d) {
    return new NodeConfig(network, api, sync, budgets, d, nat, search, feeds, circle);
  }

  public NodeConfig withNat(Nat n) {
    return new NodeConfig(network, api, sync, budgets, dht, n, search, feeds, circle);
  }

  public NodeConfig withFeeds(Feeds f) {
    return new NodeConfig(network, api, sync, budgets, dht, nat, search, f, circle);
  }

  public NodeConfig withCircle(Circle c) {
    return new NodeConfig(network, api, sync, budgets, dht, nat, search, feeds, c);
  }

  public NodeConfig withSearch(Search s) {
    return new NodeConfig(network, api, sync, budgets, dht, nat, s, feeds, circle);
  }

  /**
   * {@code [network]}: the libp2p host and discovery.
   *
   * @param host listen address; 0.0.0.0 by default because the point of a node is to be reached by
   *     peers (mDNS on the LAN finds nothing that listens on loopback only); everything it serves
   *     is signed public data, and the private local API binds 127.0.0.1 regardless
   * @param port TCP port, 0 = a free one
   * @param bootstrap multiaddrs (with /p2p/, or /dnsaddr names) dialled at start; by default {@link
   *     #PUBLIC_BOOTSTRAP}
   * @param swarmKey swarm key file of a private network (absolute), or null for the public one
   */
  public record Network(
      String host,
      int port,
      List<String> bootstrap,
      boolean mdns,
      Path swarmKey,
      int targetConnections,
      int maxConnections) {
    public Network {
      bootstrap = List.copyOf(bootstrap);
    }

    public Network withHost(String h) {
      return new Network(h, port, bootstrap, mdns, swarmKey, targetConnections, maxConnections);
    }

    public Network withPort(int p) {
      return new Network(host, p, bootstrap, mdns, swarmKey, targetConnections, maxConnections);
    }

    public Network withBootstrap(List<String> b) {
      return new Network(host, port, b, mdns, swarmKey, targetConnections, maxConnections);
    }

    public Network withMdns(boolean m) {
      return new Network(host, port, bootstrap, m, swarmKey, targetConnections, maxConnections);
    }

    public Network withSwarmKey(Path k) {
      return new Network(host, port, bootstrap, mdns, k, targetConnections, maxConnections);
    }

    public Network withConnections(int target, int max) {
      return new Network(host, port, bootstrap, mdns, swarmKey, target, max);
    }
  }

  /** {@code [api]}: the local HTTP API, always on 127.0.0.1. {@code port} 0 = a free one. */
  public record Api(int port) {}

  /**
   * {@code [sync]}: catch-up sync with connected peers every {@code interval} (whole seconds in the
   * file; finer for the simulator).
   */
  public record Sync(Duration interval) {}

  /**
   * {@code [budgets]}: local disk policy (enforced by the engine, not here), with the limits of
   * addressed entries from people this node does not follow (issue 15): per writer, entries and
   * content bytes per window; per addressee, entries from all of them per window; and the bytes of
   * all of them held, past which the oldest go.
   */
  public record Budgets(
      long identityQuotaBytes,
      long attachmentMaxBytes,
      int addressedPerWriter,
      long addressedPerWriterBytes,
      int addressedPerAddressee,
      int addressedWindowSeconds,
      long addressedTotalBytes,
      long mediaPerAuthorBytes,
      long mediaTotalBytes) {
    /** Media files kept per author by default (issue 18): 256 MiB. */
    public static final long DEFAULT_MEDIA_PER_AUTHOR = 256L << 20;

    /** Media files kept in all by default: 2 GiB. */
    public static final long DEFAULT_MEDIA_TOTAL = 2L << 30;

    /** The quota and attachment cap with the default limits of addressed entries and media. */
    public Budgets(long identityQuotaBytes, long attachmentMaxBytes) {
      this(
          identityQuotaBytes,
          attachmentMaxBytes,
          LooseLimits.Config.DEFAULT.perWriterEntries(),
          LooseLimits.Config.DEFAULT.perWriterBytes(),
          LooseLimits.Config.DEFAULT.perAddresseeEntries(),
          (int) (LooseLimits.Config.DEFAULT.windowMillis() / 1000),
          LooseLimits.Config.DEFAULT.totalBytes(),
          DEFAULT_MEDIA_PER_AUTHOR,
          DEFAULT_MEDIA_TOTAL);
    }

    /** These budgets with other media budgets (bytes of files kept per author and in all). */
    public Budgets withMedia(long perAuthorBytes, long totalBytes) {
      return new Budgets(
          identityQuotaBytes,
          attachmentMaxBytes,
          addressedPerWriter,
          addressedPerWriterBytes,
          addressedPerAddressee,
          addressedWindowSeconds,
          addressedTotalBytes,
          perAuthorBytes,
          totalBytes);
    }
  }

  /** Whether this node serves the DHT to others (libp2p kad-dht "client and server mode"). */
  public enum DhtMode {
    /**
     * Server in a private mesh (every member is reachable by the others), or when the node listens
     * on a public address; client otherwise (a laptop behind a NAT cannot be dialled, and a DHT
     * server nobody can reach only slows the lookups of others).
     */
    AUTO,
    /** Answers DHT requests and enters other peers' routing tables. */
    SERVER,
    /** Asks, never answers: does not list the DHT protocol in identify. */
    CLIENT,
    /** No DHT at all: peers come from bootstrap, mDNS and the peer table only. */
    OFF
  }

  /**
   * {@code [dht]} (and {@code [network] announce_follows}): the DHT and topic rendezvous.
   *
   * @param topicPeers a followed identity's topic with fewer connected subscribers is looked up
   * @param announceFollows provide the topics of followed identities too, not only our own: anyone
   *     who knows an identity can then see who follows it, from which addresses
   */
  public record Dht(DhtMode mode, int topicPeers, boolean announceFollows) {}

  /** Whether this node relays for others (circuit relay v2's hop service). */
  public enum RelayService {
    /** On while the node is reachable from the internet: a public address or AutoNAT says so. */
    AUTO,
    ON,
    OFF
  }

  /**
   * {@code [nat]}: getting through NATs (AutoNAT, circuit relay v2, hole punching).
   *
   * @param autonat ask peers whether we are reachable (AutoNAT v2) and answer their asking
   * @param autonatConfidence peers that must agree before the node calls itself reachable or not (a
   *     young network with one or two public peers needs 1)
   * @param relayService relay for others: AUTO (when reachable), ON or OFF
   * @param relays relay reservations a node that is not reachable keeps (0: none, so nobody can
   *     dial it from outside its network)
   * @param holePunch turn relayed connections into direct ones (DCUtR)
   */
  public record Nat(
      boolean autonat,
      int autonatConfidence,
      RelayService relayService,
      int relays,
      boolean holePunch) {}

  /**
   * {@code [search]}: the full-text search index ({@code node.search.SearchIndex}).
   *
   * @param enabled keep the index (disk: roughly the size of the posts' text; ingestion: a few
   *     percent); off, search answers that it is off, and turning it on later rebuilds it at start
   */
  public record Search(boolean enabled) {}

  /**
   * {@code [feeds]}: how feeds (issue 17, docs/FEEDS.md) run.
   *
   * @param windowHours the newest posts of how many hours a feed ranks (its candidates)
   * @param windowPosts at most this many candidates, newest first
   * @param costPerCandidate the most a feed's filter and score may cost for one candidate, in
   *     evaluation steps as {@code FeedLanguage} estimates them before running: a feed over it is
   *     refused when published and when loaded
   * @param costPerPage the most one ranking may cost (candidates times cost per candidate): a
   *     costlier feed ranks only the newest candidates that fit, and its pages say so
   */
  public record Feeds(int windowHours, int windowPosts, long costPerCandidate, long costPerPage) {}

  /**
   * {@code [circle]}: the extended circle, logs a node keeps without following them so that feeds
   * have something to rank (identities that the people it follows follow: two follow hops).
   *
   * @param enabled keep such logs at all
   * @param perIdentityBytes the most kept of one such identity's log
   * @param totalBytes the most kept of all of them together
   * @param maxIdentities the most such identities kept, those most followed by one's follows first
   */
  public record Circle(
      boolean enabled, long perIdentityBytes, long totalBytes, int maxIdentities) {}
}
