package org.grapevine.libp2p.host;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.observed.ObservedAddrsConfig;
import org.grapevine.libp2p.pnet.SwarmKey;

/**
 * Everything a {@link Host} is configured with. Defaults follow js-libp2p's where a peer would
 * notice the difference (timeouts, identify size), and are documented on the builder.
 *
 * @param listenAddrs text multiaddrs to listen on, e.g. {@code /ip4/127.0.0.1/tcp/0}
 * @param swarmKey a private network key: only peers with the same key can connect
 * @param channelHook sees each new TCP channel before the upgrade (simulations inject latency
 *     there)
 * @param nanoClock the host's clock (inbound rate limit, ping round trips, shutdown grace); Netty's
 *     timers keep their own
 * @param random pnet nonces, Noise keys and ping payloads; drawn from on several event loops at
 *     once, so it must be thread-safe (a {@link SecureRandom} in production)
 * @param observedAddrs how identify's observed addresses are confirmed ({@link Host#observedAddrs})
 * @param autonat AutoNAT's roles and settings; empty (the default) runs no AutoNAT, and the host's
 *     reachability stays UNKNOWN
 */
public record HostConfig(
    PrivKey identity,
    List<String> listenAddrs,
    Optional<SwarmKey> swarmKey,
    String agentVersion,
    Duration dialTimeout,
    Duration upgradeTimeout,
    Duration streamNegotiationTimeout,
    Duration identifyTimeout,
    int maxConnections,
    int maxConnectionsPerPeer,
    double maxInboundConnectionsPerSecond,
    int maxInboundConnectionBurst,
    int maxStreamsPerConnection,
    int streamReceiveWindowBytes,
    Duration shutdownGrace,
    ChannelHook channelHook,
    LongSupplier nanoClock,
    RandomGenerator random,
    ObservedAddrsConfig observedAddrs,
    Optional<AutonatConfig> autonat) {

  public HostConfig {
    Objects.requireNonNull(identity, "identity");
    listenAddrs = List.copyOf(listenAddrs);
    Objects.requireNonNull(swarmKey, "swarmKey");
    Objects.requireNonNull(channelHook, "channelHook");
    Objects.requireNonNull(nanoClock, "nanoClock");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(observedAddrs, "observedAddrs");
    Objects.requireNonNull(autonat, "autonat");
    if (maxConnections < 1 || maxConnectionsPerPeer < 1 || maxStreamsPerConnection < 1) {
      throw new IllegalArgumentException("connection and stream limits must be positive");
    }
  }

  public static Builder builder(PrivKey identity) {
    return new Builder(identity);
  }

  /** Defaults: listen nowhere, no swarm key, js-like timeouts, 300 connections, 5 inbound/s. */
  public static final class Builder {
    private final PrivKey identity;
    private List<String> listenAddrs = List.of();
    private Optional<SwarmKey> swarmKey = Optional.empty();
    private String agentVersion = "grapevine/0.1.0";
    private Duration dialTimeout = Duration.ofSeconds(10);
    private Duration upgradeTimeout = Duration.ofSeconds(10);
    private Duration streamNegotiationTimeout = Duration.ofSeconds(10);
    private Duration identifyTimeout = Duration.ofSeconds(5);
    private int maxConnections = 300;
    private int maxConnectionsPerPeer = 2;
    private double maxInboundConnectionsPerSecond = 5;
    private int maxInboundConnectionBurst = 10;
    private int maxStreamsPerConnection = 1000;
    private int streamReceiveWindowBytes = 1024 * 1024;
    private Duration shutdownGrace = Duration.ofSeconds(2);
    private ChannelHook channelHook = ChannelHook.NONE;
    private LongSupplier nanoClock = System::nanoTime;
    private RandomGenerator random;
    private ObservedAddrsConfig observedAddrs = ObservedAddrsConfig.defaults();
    private Optional<AutonatConfig> autonat = Optional.empty();

    private Builder(PrivKey identity) {
      this.identity = identity;
    }

    public Builder listen(String... addrs) {
      this.listenAddrs = List.of(addrs);
      return this;
    }

    public Builder swarmKey(SwarmKey key) {
      this.swarmKey = Optional.ofNullable(key);
      return this;
    }

    public Builder agentVersion(String v) {
      this.agentVersion = v;
      return this;
    }

    public Builder dialTimeout(Duration d) {
      this.dialTimeout = d;
      return this;
    }

    public Builder upgradeTimeout(Duration d) {
      this.upgradeTimeout = d;
      return this;
    }

    public Builder streamNegotiationTimeout(Duration d) {
      this.streamNegotiationTimeout = d;
      return this;
    }

    public Builder identifyTimeout(Duration d) {
      this.identifyTimeout = d;
      return this;
    }

    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    public Builder maxConnectionsPerPeer(int n) {
      this.maxConnectionsPerPeer = n;
      return this;
    }

    public Builder inboundRate(double perSecond, int burst) {
      this.maxInboundConnectionsPerSecond = perSecond;
      this.maxInboundConnectionBurst = burst;
      return this;
    }

    public Builder maxStreamsPerConnection(int n) {
      this.maxStreamsPerConnection = n;
      return this;
    }

    /**
     * The Yamux window we grant each stream (256 KiB to 64 MiB; default 1 MiB). Larger windows keep
     * both ends' cores busy on bulk transfers; each stream may buffer up to this much.
     */
    public Builder streamReceiveWindowBytes(int bytes) {
      this.streamReceiveWindowBytes = bytes;
      return this;
    }

    public Builder shutdownGrace(Duration d) {
      this.shutdownGrace = d;
      return this;
    }

    /** Sees each new TCP channel before the upgrade; default {@link ChannelHook#NONE}. */
    public Builder channelHook(ChannelHook hook) {
      this.channelHook = hook;
      return this;
    }

    /** The host's clock; default {@link System#nanoTime}. */
    public Builder nanoClock(LongSupplier clock) {
      this.nanoClock = clock;
      return this;
    }

    /** A thread-safe source of randomness; default a new {@link SecureRandom} per built config. */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /** How observed addresses are confirmed; default {@link ObservedAddrsConfig#defaults()}. */
    public Builder observedAddrs(ObservedAddrsConfig config) {
      this.observedAddrs = config;
      return this;
    }

    /**
     * Runs AutoNAT with these roles ({@link AutonatConfig#defaults()} for a node on the internet);
     * default none.
     */
    public Builder autonat(AutonatConfig config) {
      this.autonat = Optional.ofNullable(config);
      return this;
    }

    public HostConfig build() {
      return new HostConfig(
          identity,
          listenAddrs,
          swarmKey,
          agentVersion,
          dialTimeout,
          upgradeTimeout,
          streamNegotiationTimeout,
          identifyTimeout,
          maxConnections,
          maxConnectionsPerPeer,
          maxInboundConnectionsPerSecond,
          maxInboundConnectionBurst,
          maxStreamsPerConnection,
          streamReceiveWindowBytes,
          shutdownGrace,
          channelHook,
          nanoClock,
          random != null ? random : new SecureRandom(),
          observedAddrs,
          autonat);
    }
  }
}
