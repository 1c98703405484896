package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.PeerScoreParams;
import org.grapevine.libp2p.gossipsub.PeerScoreThresholds;
import org.grapevine.libp2p.gossipsub.SignaturePolicy;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.ConfigFile;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.discovery.DiscoveryConfig;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.gossip.EntryMessageIds;
import org.grapevine.node.gossip.GossipScoring;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every option of {@code config.toml} reaches the part it configures: a file that sets each one to
 * a value other than its default, and the host, discovery, budget and gossip configurations the
 * launcher derives from it.
 */
class NodeLauncherTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final DataDir.Keys keys =
      new DataDir.Keys(
          alice.identity, alice.root, alice.deviceKey("laptop"), PrivKey.generate(RANDOM));

  @AfterEach
  void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private NodeLauncher launcher(NodeConfig config) {
    return NodeLauncher.of(config, dir.resolve("data"), keys, group);
  }

  @Test
  void everyOptionOfTheFile_reachesItsPart() throws Exception {
    SwarmKey swarm = SwarmKey.generate(RANDOM);
    Files.writeString(dir.resolve("swarm.key"), swarm.format());
    String bootstrap =
        "/ip4/192.0.2.1/tcp/4001/p2p/" + PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
    NodeConfig config =
        ConfigFile.parse(
            dir.resolve("config.toml"),
            """
        [network]
        host = "127.0.0.2"
        port = 4011
        bootstrap = ["%s"]
        mdns = false
        swarm_key = "swarm.key"
        target_connections = 12
        max_connections = 450
        [api]
        port = 7999
        [sync]
        interval_seconds = 17
        [budgets]
        identity_quota_bytes = 2097152
        attachment_max_bytes = 4096
        addressed_per_writer = 7
        addressed_per_writer_bytes = 9000
        addressed_per_addressee = 70
        addressed_window_seconds = 120
        """
                .formatted(bootstrap),
            dir);
    NodeLauncher l = launcher(config);

    HostConfig host = l.hostConfig();
    assertThat(host.identity()).isEqualTo(keys.peer());
    assertThat(host.listenAddrs()).containsExactly("/ip4/127.0.0.2/tcp/4011");
    assertThat(host.maxConnections()).isEqualTo(450);
    assertThat(host.swarmKey()).contains(swarm);

    DiscoveryConfig discovery = l.discoveryConfig();
    assertThat(discovery.bootstrap()).containsExactly(bootstrap);
    assertThat(discovery.mdns()).isFalse();
    assertThat(discovery.targetConnections()).isEqualTo(12);
    assertThat(discovery.maxConnections()).isEqualTo(450);
    assertThat(discovery.syncInterval()).isEqualTo(Duration.ofSeconds(17));

    assertThat(l.budgets())
        .isEqualTo(
            new Budgets(
                2 << 20,
                4096,
                new org.grapevine.node.engine.LooseLimits.Config(
                    7,
                    9000,
                    70,
                    120_000,
                    org.grapevine.node.engine.LooseLimits.Config.DEFAULT.maxTrackedWriters())));
    // api.port configures the API server, which the caller starts on the node (RunCommand).
    assertThat(config.api().port()).isEqualTo(7999);
  }

  @Test
  void ipv6Host_listensOnIp6() throws Exception {
    NodeConfig c = NodeConfig.loopback();
    assertThat(launcher(c.withNetwork(c.network().withHost("::1"))).hostConfig().listenAddrs())
        .containsExactly("/ip6/::1/tcp/0");
  }

  @Test
  void tuning_neverOverridesAnOptionOfTheConfig() throws Exception {
    NodeConfig c = NodeConfig.loopback();
    NodeLauncher l =
        launcher(c.withNetwork(c.network().withConnections(3, 7)))
            .host(h -> h.maxConnections(1).listen("/ip4/10.0.0.1/tcp/1").inboundRate(50, 60))
            .discovery(
                d ->
                    d.connections(0, 1)
                        .mdns(true)
                        .backoff(Duration.ofMillis(5), Duration.ofMillis(9)));
    assertThat(l.hostConfig().maxConnections()).isEqualTo(7);
    assertThat(l.hostConfig().listenAddrs()).containsExactly("/ip4/127.0.0.1/tcp/0");
    assertThat(l.hostConfig().maxInboundConnectionsPerSecond()).isEqualTo(50);
    assertThat(l.discoveryConfig().maxConnections()).isEqualTo(7);
    assertThat(l.discoveryConfig().targetConnections()).isEqualTo(3);
    assertThat(l.discoveryConfig().mdns()).isFalse();
    assertThat(l.discoveryConfig().backoffBase()).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void gossip_isTheNodesPolicyOverTheTuning() {
    PeerScoreThresholds thresholds = PeerScoreThresholds.builder().graylistThreshold(-1000).build();
    GossipConfig tuning =
        GossipConfig.builder()
            .d(5)
            .dLo(4)
            .dHi(9)
            .heartbeatIntervalNanos(700_000_000L)
            .signaturePolicy(SignaturePolicy.STRICT_SIGN)
            .scoreParams(PeerScoreParams.builder().behaviourPenaltyWeight(-3).build())
            .scoreThresholds(thresholds)
            .build();
    GossipConfig g = launcher(NodeConfig.loopback()).gossip(tuning).gossipConfig();
    assertThat(g.d()).isEqualTo(5);
    assertThat(g.heartbeatIntervalNanos()).isEqualTo(700_000_000L);
    assertThat(g.scoreThresholds()).isEqualTo(thresholds);
    assertThat(g.scoreParams().behaviourPenaltyWeight()).isEqualTo(-3);
    // Never tuning: no pubsub signatures, message id = entry id, the identity-topic scoring.
    assertThat(g.signaturePolicy()).isEqualTo(SignaturePolicy.STRICT_NO_SIGN);
    assertThat(g.messageIdFunction()).hasSameClassAs(EntryMessageIds.function());
    assertThat(g.scoreParams().defaultTopic()).isEqualTo(GossipScoring.identityTopic());
    // Untuned, it is the node's scoring exactly.
    assertThat(launcher(NodeConfig.loopback()).gossipConfig().scoreParams())
        .isEqualTo(GossipScoring.params());
  }

  @Test
  void missingSwarmKeyFile_isAConfigProblem() {
    NodeConfig c = NodeConfig.loopback();
    Path missing = dir.resolve("nope.key");
    assertThatThrownBy(
            () -> launcher(c.withNetwork(c.network().withSwarmKey(missing))).hostConfig())
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.key()).isEqualTo("network.swarm_key");
              assertThat(e.file()).isEqualTo(missing);
            })
        .hasMessageContaining("does not exist");
  }

  @Test
  void swarmKeyFileThatIsNoKey_isAConfigProblem() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.key"), "not a key\n");
    NodeConfig c = NodeConfig.loopback();
    assertThatThrownBy(() -> launcher(c.withNetwork(c.network().withSwarmKey(bad))).hostConfig())
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.key()).isEqualTo("network.swarm_key"))
        .hasMessageContaining("is not a swarm key");
  }

  @Test
  void publicBootstrap_byDefault_butNeverWithASwarmKey_andNeverForLoopbackNodes() throws Exception {
    assertThat(NodeConfig.defaults().network().bootstrap())
        .isEqualTo(NodeConfig.PUBLIC_BOOTSTRAP)
        .allMatch(b -> b.startsWith("/dnsaddr/"));
    // The five Amino bootstrap peers: four with RSA keys (Qm...), va1 with an Ed25519 key; every
    // entry names its peer, and each passes the launcher's own bootstrap check.
    assertThat(NodeConfig.PUBLIC_BOOTSTRAP)
        .hasSize(5)
        .filteredOn(b -> b.contains("/p2p/Qm"))
        .hasSize(4)
        .allMatch(b -> PeerId.parse(b.substring(b.indexOf("/p2p/") + 5)).pubKey().isEmpty());
    assertThat(
            launcher(NodeConfig.loopback().withNetwork(NodeConfig.defaults().network()))
                .discoveryConfig()
                .bootstrapNames())
        .hasSize(5);
    assertThat(NodeConfig.loopback().network().bootstrap()).isEmpty();
    String own =
        "/ip4/192.0.2.1/tcp/4001/p2p/"
            + PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
    List<String> both = new java.util.ArrayList<>(NodeConfig.PUBLIC_BOOTSTRAP);
    both.add(own);
    NodeConfig.Network pub = NodeConfig.defaults().network().withBootstrap(both);
    assertThat(NodeLauncher.bootstrap(pub)).isEqualTo(both);
    assertThat(NodeLauncher.bootstrap(pub.withSwarmKey(Path.of("/swarm.key"))))
        .containsExactly(own);
  }

  @Test
  void bootstrapWithoutPeerId_isAConfigProblem() {
    NodeConfig c = NodeConfig.loopback();
    assertThatThrownBy(
            () ->
                launcher(
                        c.withNetwork(
                            c.network().withBootstrap(List.of("/ip4/192.0.2.1/tcp/4001"))))
                    .discoveryConfig())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.file()).isNull())
        .hasMessageStartingWith("network: bootstrap address \"/ip4/192.0.2.1/tcp/4001\" must be");
  }
}
