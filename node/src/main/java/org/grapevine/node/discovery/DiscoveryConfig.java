package org.grapevine.node.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;

/**
 * How a node finds and keeps peers (docs/ARCHITECTURE.md "Discovery and connectivity"), and how
 * often it syncs with them.
 *
 * @param bootstrap multiaddrs ending in {@code /p2p/<id>}: dialed first, never forgotten
 * @param mdns look for peers on the LAN (libp2p mDNS)
 * @param targetConnections dial known peers while fewer peers than this are connected
 * @param maxConnections close inbound peers beyond this many
 * @param backoffBase delay before the first redial; doubles with each failure in a row
 * @param backoffCap the delay never exceeds this
 * @param maxDialFailures forget a (non-bootstrap) peer after this many failed dials in a row
 * @param maxKnownPeers bound of the known-peer table (the persisted table has its own bound)
 * @param syncInterval catch-up sync with every connected peer this often
 */
public record DiscoveryConfig(
    List<String> bootstrap,
    boolean mdns,
    int targetConnections,
    int maxConnections,
    Duration backoffBase,
    Duration backoffCap,
    int maxDialFailures,
    int maxKnownPeers,
    Duration syncInterval) {

  /**
   * @throws IllegalArgumentException naming the bad bootstrap address or limit
   */
  public DiscoveryConfig {
    bootstrap = List.copyOf(bootstrap);
    for (String b : bootstrap) {
      parseBootstrap(b);
    }
    if (targetConnections < 0 || maxConnections < 1 || targetConnections > maxConnections) {
      throw new IllegalArgumentException(
          "connection target "
              + targetConnections
              + " must be between 0 and the maximum "
              + maxConnections
              + " (at least 1)");
    }
    if (!positive(backoffBase)
        || backoffCap.compareTo(backoffBase) < 0
        || !positive(syncInterval)) {
      throw new IllegalArgumentException(
          "backoff base "
              + backoffBase
              + " and sync interval "
              + syncInterval
              + " must be positive, and the backoff cap "
              + backoffCap
              + " at least the base");
    }
    if (maxDialFailures < 1 || maxKnownPeers < 1) {
      throw new IllegalArgumentException("maxDialFailures and maxKnownPeers must be positive");
    }
  }

  /**
   * Defaults for a person's node: mDNS on, 8 peers wanted, at most 32, backoff 1 s doubling to 5
   * min, sync every 60 s.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The bootstrap addresses, parsed (the constructor checked them). */
  public List<Multiaddr> bootstrapAddrs() {
    List<Multiaddr> out = new ArrayList<>();
    for (String b : bootstrap) {
      out.add(parseBootstrap(b));
    }
    return out;
  }

  private static Multiaddr parseBootstrap(String text) {
    Multiaddr addr;
    try {
      addr = Multiaddr.parse(text);
    } catch (MultiaddrFormatException e) {
      throw new IllegalArgumentException(
          "bootstrap address \"" + text + "\" is not a multiaddr: " + e.getMessage(), e);
    }
    if (addr.peerId().isEmpty() || addr.withoutPeerId().tcpSocketAddress().isEmpty()) {
      throw new IllegalArgumentException(
          "bootstrap address \""
              + text
              + "\" must be /ip4 or /ip6 with /tcp and end in /p2p/<peer id>");
    }
    return addr;
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  public static final class Builder {
    private List<String> bootstrap = List.of();
    private boolean mdns = true;
    private int targetConnections = 8;
    private int maxConnections = 32;
    private Duration backoffBase = Duration.ofSeconds(1);
    private Duration backoffCap = Duration.ofMinutes(5);
    private int maxDialFailures = 8;
    private int maxKnownPeers = 1000;
    private Duration syncInterval = Duration.ofSeconds(60);

    private Builder() {}

    public Builder bootstrap(List<String> addrs) {
      this.bootstrap = addrs;
      return this;
    }

    public Builder mdns(boolean on) {
      this.mdns = on;
      return this;
    }

    public Builder connections(int target, int max) {
      this.targetConnections = target;
      this.maxConnections = max;
      return this;
    }

    public Builder backoff(Duration base, Duration cap) {
      this.backoffBase = base;
      this.backoffCap = cap;
      return this;
    }

    public Builder maxDialFailures(int n) {
      this.maxDialFailures = n;
      return this;
    }

    public Builder maxKnownPeers(int n) {
      this.maxKnownPeers = n;
      return this;
    }

    public Builder syncInterval(Duration d) {
      this.syncInterval = d;
      return this;
    }

    public DiscoveryConfig build() {
      return new DiscoveryConfig(
          bootstrap,
          mdns,
          targetConnections,
          maxConnections,
          backoffBase,
          backoffCap,
          maxDialFailures,
          maxKnownPeers,
          syncInterval);
    }
  }
}
