package org.grapevine.node.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrComponent;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.multiaddr.MultiaddrProtocol;

/**
 * How a node finds and keeps peers (docs/ARCHITECTURE.md "Discovery and connectivity"), and how
 * often it syncs with them.
 *
 * @param bootstrap multiaddrs: {@code /ip4|ip6/.../tcp/.../p2p/<id>}, or names resolved through DNS
 *     ({@link #bootstrapNames}): {@code /dnsaddr/<name>} with or without {@code /p2p/<id>}, {@code
 *     /dns|dns4|dns6/<name>/tcp/<port>/p2p/<id>}; dialed first, never forgotten
 * @param mdns look for peers on the LAN (libp2p mDNS)
 * @param targetConnections dial known peers while fewer peers than this are connected
 * @param maxConnections close inbound peers beyond this many
 * @param backoffBase delay before the first redial; doubles with each failure in a row
 * @param backoffCap the delay never exceeds this
 * @param maxDialFailures forget a (non-bootstrap) peer after this many failed dials in a row
 * @param maxKnownPeers bound of the known-peer table (the persisted table has its own bound)
 * @param syncInterval catch-up sync with every connected peer this often
 * @param dnsServers the DNS servers that resolve bootstrap names; empty = the system's ({@code
 *     /etc/resolv.conf})
 * @param dnsTimeout one DNS query's timeout
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
    Duration syncInterval,
    List<java.net.InetSocketAddress> dnsServers,
    Duration dnsTimeout) {

  /**
   * @throws IllegalArgumentException naming the bad bootstrap address or limit
   */
  public DiscoveryConfig {
    bootstrap = List.copyOf(bootstrap);
    dnsServers = List.copyOf(dnsServers);
    for (String b : bootstrap) {
      parseBootstrap(b);
    }
    if (!positive(dnsTimeout)) {
      throw new IllegalArgumentException("the DNS timeout must be positive, got " + dnsTimeout);
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

  /** The bootstrap addresses on an IP, parsed (the constructor checked them). */
  public List<Multiaddr> bootstrapAddrs() {
    List<Multiaddr> out = new ArrayList<>();
    for (String b : bootstrap) {
      Multiaddr a = parseBootstrap(b);
      if (!isName(a)) {
        out.add(a);
      }
    }
    return out;
  }

  /** The bootstrap addresses that name a host, to resolve through DNS first. */
  public List<Multiaddr> bootstrapNames() {
    List<Multiaddr> out = new ArrayList<>();
    for (String b : bootstrap) {
      Multiaddr a = parseBootstrap(b);
      if (isName(a)) {
        out.add(a);
      }
    }
    return out;
  }

  private static boolean isName(Multiaddr a) {
    MultiaddrProtocol first = a.components().get(0).protocol();
    return first == MultiaddrProtocol.DNSADDR
        || first == MultiaddrProtocol.DNS
        || first == MultiaddrProtocol.DNS4
        || first == MultiaddrProtocol.DNS6;
  }

  private static Multiaddr parseBootstrap(String text) {
    Multiaddr addr;
    try {
      addr = Multiaddr.parse(text);
    } catch (MultiaddrFormatException e) {
      throw new IllegalArgumentException(
          "bootstrap address \"" + text + "\" is not a multiaddr: " + e.getMessage(), e);
    }
    List<MultiaddrComponent> c = addr.components();
    boolean dnsaddr =
        !c.isEmpty()
            && c.get(0).protocol() == MultiaddrProtocol.DNSADDR
            && (c.size() == 1 || (c.size() == 2 && c.get(1).protocol() == MultiaddrProtocol.P2P));
    boolean dnsTcp =
        c.size() == 3
            && isName(addr)
            && c.get(1).protocol() == MultiaddrProtocol.TCP
            && c.get(2).protocol() == MultiaddrProtocol.P2P;
    boolean ipTcp =
        addr.peerId().isPresent() && addr.withoutPeerId().tcpSocketAddress().isPresent();
    if (!dnsaddr && !dnsTcp && !ipTcp) {
      throw new IllegalArgumentException(
          "bootstrap address \""
              + text
              + "\" must be /ip4 or /ip6 (or /dns, /dns4, /dns6) with /tcp and end in /p2p/<peer id>,"
              + " or be /dnsaddr/<name> with or without /p2p/<peer id>");
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
    private List<java.net.InetSocketAddress> dnsServers = List.of();
    private Duration dnsTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /** DNS servers for bootstrap names (tests give a local one); empty = the system's. */
    public Builder dns(List<java.net.InetSocketAddress> servers, Duration queryTimeout) {
      this.dnsServers = servers;
      this.dnsTimeout = queryTimeout;
      return this;
    }

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
          syncInterval,
          dnsServers,
          dnsTimeout);
    }
  }
}
