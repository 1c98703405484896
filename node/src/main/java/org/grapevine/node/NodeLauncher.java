package org.grapevine.node;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.grapevine.libp2p.autonat.AutonatClientConfig;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.AutonatServerConfig;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.libp2p.pnet.SwarmKeyException;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.discovery.DiscoveryConfig;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.engine.LooseLimits;
import org.grapevine.node.gossip.NodeGossip;
import org.grapevine.node.media.MediaBudgets;

/**
 * The one way to assemble a {@link Node}: from a {@link NodeConfig} (what {@code config.toml} and
 * the flags of {@code grapevine run} say), the node's keys, its data directory and an event-loop
 * group. Every option of the config reaches the part it configures, here and nowhere else:
 *
 * <ul>
 *   <li>{@code network.host}, {@code network.port}: the host's listen address;
 *   <li>{@code network.max_connections}: the host's connection limit and discovery's peer limit;
 *   <li>{@code network.target_connections}, {@code network.bootstrap}, {@code network.mdns}:
 *       discovery;
 *   <li>{@code network.swarm_key}: the host's private network (and so mDNS's service name, and no
 *       public bootstrap peer);
 *   <li>{@code sync.interval_seconds}: the periodic sync;
 *   <li>{@code budgets.*}: the ingestion engine's {@link Budgets};
 *   <li>{@code nat.autonat}, {@code nat.autonat_confidence}: the host's AutoNAT; the rest of {@code
 *       [nat]}: {@link NodeReach}.
 * </ul>
 *
 * ({@code api.port} configures the API server, which the caller starts on the node.)
 *
 * <p>What the config does not set can be tuned ({@link #host}, {@link #discovery}, {@link
 * #gossip}): timeouts, the inbound connection rate, a channel hook, the agent version, backoff,
 * GossipSub tuning. Tuning is applied first and the config's values over it, so tuning never
 * overrides an option of the config.
 */
public final class NodeLauncher {
  private final NodeConfig config;
  private final Path dataDir;
  private final DataDir.Keys keys;
  private final EventLoopGroup group;
  private UnaryOperator<HostConfig.Builder> hostTuning = UnaryOperator.identity();
  private UnaryOperator<DiscoveryConfig.Builder> discoveryTuning = UnaryOperator.identity();
  private GossipConfig gossipTuning = GossipConfig.builder().build();

  private NodeLauncher(NodeConfig config, Path dataDir, DataDir.Keys keys, EventLoopGroup group) {
    this.config = Objects.requireNonNull(config, "config");
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.group = Objects.requireNonNull(group, "group");
  }

  /**
   * A launcher for the node of {@code keys} (its root key may be null: a device that joined an
   * identity without it) with its data in {@code dataDir}, on {@code group}'s event loops.
   */
  public static NodeLauncher of(
      NodeConfig config, Path dataDir, DataDir.Keys keys, EventLoopGroup group) {
    return new NodeLauncher(config, dataDir, keys, group);
  }

  /**
   * Host settings the config does not have (timeouts, inbound rate, channel hook, agent version).
   */
  public NodeLauncher host(UnaryOperator<HostConfig.Builder> tuning) {
    this.hostTuning = Objects.requireNonNull(tuning, "tuning");
    return this;
  }

  /** Discovery settings the config does not have (backoff, dial failures, known-peer table). */
  public NodeLauncher discovery(UnaryOperator<DiscoveryConfig.Builder> tuning) {
    this.discoveryTuning = Objects.requireNonNull(tuning, "tuning");
    return this;
  }

  /**
   * GossipSub tuning (D, heartbeat, thresholds, score weights); see {@link
   * NodeGossip#config(GossipConfig)}.
   */
  public NodeLauncher gossip(GossipConfig tuning) {
    this.gossipTuning = Objects.requireNonNull(tuning, "tuning");
    return this;
  }

  /**
   * The host's configuration: listen address, connection limit and swarm key from the config.
   *
   * @throws ConfigException if the swarm key file cannot be read or is not a swarm key
   */
  public HostConfig hostConfig() throws ConfigException {
    NodeConfig.Network net = config.network();
    HostConfig.Builder b = hostTuning.apply(HostConfig.builder(keys.peer()));
    b.listen(
            "/"
                + (net.host().contains(":") ? "ip6" : "ip4")
                + "/"
                + net.host()
                + "/tcp/"
                + net.port())
        .maxConnections(net.maxConnections());
    if (config.nat().autonat()) {
      b.autonat(
          new AutonatConfig(
              Optional.of(AutonatServerConfig.defaults()),
              true,
              Optional.of(
                  AutonatClientConfig.defaults()
                      .with(
                          config.nat().autonatConfidence(),
                          AutonatClientConfig.defaults().probeIntervalNanos()))));
    }
    if (net.swarmKey() != null) {
      b.swarmKey(readSwarmKey(net.swarmKey()));
    }
    return b.build();
  }

  /**
   * Discovery's configuration: bootstrap, mDNS, connection target and limit, sync interval.
   *
   * @throws ConfigException if a bootstrap address is not one {@link DiscoveryConfig} takes or the
   *     target exceeds the limit
   */
  public DiscoveryConfig discoveryConfig() throws ConfigException {
    NodeConfig.Network net = config.network();
    DiscoveryConfig.Builder b = discoveryTuning.apply(DiscoveryConfig.builder());
    b.bootstrap(bootstrap(net))
        .mdns(net.mdns())
        .connections(net.targetConnections(), net.maxConnections())
        .syncInterval(config.sync().interval());
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, "network", e.getMessage());
    }
  }

  /**
   * The bootstrap list to use: the config's, without the public libp2p peers ({@link
   * NodeConfig#PUBLIC_BOOTSTRAP}) when a swarm key makes this a private mesh: its members could not
   * talk to them anyway (the pnet handshake fails), and dialing them would tell the public network
   * that this node exists.
   */
  static java.util.List<String> bootstrap(NodeConfig.Network net) {
    if (net.swarmKey() == null) {
      return net.bootstrap();
    }
    return net.bootstrap().stream().filter(b -> !NodeConfig.PUBLIC_BOOTSTRAP.contains(b)).toList();
  }

  /** The engine's storage budgets. */
  public Budgets budgets() {
    NodeConfig.Budgets b = config.budgets();
    return new Budgets(
        b.identityQuotaBytes(),
        b.attachmentMaxBytes(),
        new LooseLimits.Config(
            b.addressedPerWriter(),
            b.addressedPerWriterBytes(),
            b.addressedPerAddressee(),
            b.addressedWindowSeconds() * 1000L,
            LooseLimits.Config.DEFAULT.maxTrackedWriters(),
            b.addressedTotalBytes()));
  }

  /** The router's configuration: the node's ({@link NodeGossip}) over the tuning. */
  public GossipConfig gossipConfig() {
    return NodeGossip.config(gossipTuning);
  }

  /**
   * Opens (or creates) the store, delegates the device if allowed and starts networking; see {@link
   * Node}.
   *
   * @throws ConfigException if the config cannot be applied (swarm key file, bootstrap address)
   * @throws IOException if the store or the listen address cannot be opened
   */
  public Node start() throws IOException, ConfigException {
    return Node.start(
        new NodeSetup(
            dataDir,
            keys.identity(),
            keys.root(),
            keys.device(),
            hostConfig(),
            group,
            budgets(),
            discoveryConfig(),
            gossipConfig(),
            config.dht(),
            config.nat(),
            config.search().enabled(),
            config.feeds(),
            config.circle(),
            new MediaBudgets(
                config.budgets().mediaPerAuthorBytes(), config.budgets().mediaTotalBytes())));
  }

  private static SwarmKey readSwarmKey(Path file) throws ConfigException {
    try {
      return SwarmKey.parse(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, "network.swarm_key", "does not exist");
    } catch (IOException e) {
      throw new ConfigException(file, "network.swarm_key", "cannot be read (" + e + ")");
    } catch (SwarmKeyException e) {
      throw new ConfigException(file, "network.swarm_key", "is not a swarm key: " + e.getMessage());
    }
  }
}
