package org.grapevine.simulations.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.simulations.network.FaultPlan;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.TopologyBuilder;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node core decides the same in the virtual engine and in a running node (issue 11): one small
 * world, played in both, and the decisions of its observed node compared by role.
 *
 * <p>The roles, by node number in the virtual engine: X (0) is observed; P (1) and Q (2) are X's
 * neighbours and, like X, follow the author A (3), who is connected to nobody: A only signs. X
 * holds A's delegation and none of A's posts. The script, the same in both worlds:
 *
 * <ol>
 *   <li>P relays A's delegation (the running X stores it; the simulated X, set up with it, has it
 *       already);
 *   <li>Q relays A's post 2 with one signature byte flipped: X must blame Q, for BAD_SIGNATURE;
 *   <li>P relays A's post 3: ahead of posts 1 and 2, so X buffers it and syncs for the GAP, with
 *       every connected peer that subscribes to A's topic: P and Q (not only P, the relay);
 *   <li>P relays A's post 1, which X stores: a marker, for X handles one peer's messages in order,
 *       so once it is stored every decision on the steps before it is made.
 * </ol>
 *
 * In the virtual engine P and Q are simulated nodes and the relays are injected into their links
 * ({@link VirtualEngine#injectGossip}); in the running world X is a real {@link Node} (RocksDB, TCP
 * on 127.0.0.1, Noise, Yamux, GossipSub) and P and Q are bare libp2p peers (a host and a GossipSub
 * driver subscribed to A's topic) that publish the same entries (A's keys are the same; the running
 * world's entries carry the wall clock). The bare peers do not speak sync, so X's sync streams to
 * them fail to open: the decision to sync is what is compared, not the session. Periodic sync is
 * off in both (0 peers per round; a one-year interval), so that no other session can absorb the
 * gap's decision. Nothing is timed: the running world awaits events with a deadline.
 */
@Timeout(180)
class CoreDecisionsAgreeIT {
  private static final int X = 0;
  private static final int P = 1;
  private static final int Q = 2;
  private static final int A = 3;
  private static final String[] ROLES = {"X", "P", "Q", "A"};
  private static final long SEC = 1_000_000_000L;
  private static final String SCENARIO =
      """
      name: decisions
      seed: 11
      duration: 8s
      warmUp: 1s
      nodes: {count: 4}
      connections: {model: explicit, edges: [[0, 1], [0, 2]], topicPeers: 0}
      latency: {model: constant, oneWay: 20ms}
      follows: {model: explicit, edges: [[0, 3], [1, 3], [2, 3]]}
      workload: {posts: 0}
      protocol: {syncPeersPerRound: 0}
      dht: {enabled: false}
      """;

  /** What every world must decide. */
  private static final Decisions EXPECTED =
      new Decisions(Set.of("P", "Q"), List.of("Q BAD_SIGNATURE"));

  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();

  /**
   * X's decisions by role: the peers it decided to sync with for a GAP, and whom it blamed why, in
   * order.
   */
  record Decisions(Set<String> gapSyncs, List<String> blames) {
    static Decisions of(List<CoreEvent> events, Map<PeerId, String> roles) {
      Set<String> gap = new TreeSet<>();
      List<String> blames = new ArrayList<>();
      for (CoreEvent e : events) {
        if (e instanceof CoreEvent.SyncDecided d && d.reason() == CoreEvent.SyncReason.GAP) {
          gap.add(roles.getOrDefault(d.peer(), "unknown " + d.peer()));
        } else if (e instanceof CoreEvent.Blamed b) {
          blames.add(
              roles.getOrDefault(b.peer(), "unknown " + b.peer())
                  + " "
                  + (b.reason() != null ? b.reason() : b.syncError()));
        }
      }
      return new Decisions(gap, blames);
    }
  }

  /**
   * A's entries, signed with A's keys from the scenario's seed: its delegation, then posts 1 to 3.
   */
  private static List<LogEntry> authorEntries(long seed, long millis) {
    SigningKey root = PostCatalog.key(seed, A, "root");
    SigningKey device = PostCatalog.key(seed, A, "device");
    List<LogEntry> out = new ArrayList<>();
    out.add(
        LogWriter.rootLog(root, LogHead.EMPTY)
            .append(
                Content.newBuilder()
                    .setDelegateDevice(
                        DelegateDevice.newBuilder()
                            .setDevice(ByteString.copyFrom(device.publicKey().unsafeBytes()))
                            .setName("sim"))
                    .build(),
                millis));
    LogWriter log = new LogWriter(Identity.of(root.publicKey()), device, LogHead.EMPTY);
    for (int seq = 1; seq <= 3; seq++) {
      out.add(
          log.append(
              Content.newBuilder().setPost(Post.newBuilder().setText("post " + seq)).build(),
              millis + seq));
    }
    return out;
  }

  private static byte[] withBadSignature(LogEntry e) {
    byte[] sig = e.signed().signature();
    sig[0] ^= 1;
    return EntryCodec.encodeEnvelope(e.signed().entryBytes(), sig, e.contentBytes().orElse(null));
  }

  /** The script's four relays as (sender role, envelope), in order. */
  private static List<Map.Entry<Integer, byte[]>> script(List<LogEntry> a) {
    return List.of(
        Map.entry(P, a.get(0).toEnvelopeBytes()),
        Map.entry(Q, withBadSignature(a.get(2))),
        Map.entry(P, a.get(3).toEnvelopeBytes()),
        Map.entry(P, a.get(1).toEnvelopeBytes()));
  }

  @Test
  void gapSyncsAndBlame_sameRolesInVirtualEngineAndRunningNode() throws Exception {
    Scenario s = ScenarioReader.parse(SCENARIO, "decisions");
    Decisions virtual = virtualWorld(s);
    Decisions running = runningWorld(s.seed());

    assertThat(virtual).as("virtual engine").isEqualTo(EXPECTED);
    assertThat(running).as("running node").isEqualTo(EXPECTED);
    assertThat(virtual).isEqualTo(running);
  }

  // ------------------------------------------------------------------------- virtual world

  /**
   * The scenario on the virtual engine, built as SimulationRun builds it, with the script injected.
   */
  private static Decisions virtualWorld(Scenario s) {
    SplittableRandom master = new SplittableRandom(s.seed());
    FollowGraph follows = FollowGraph.generate(s.follows(), s.nodes().count(), master.split());
    Topology topology = TopologyBuilder.build(s.connections(), follows, master.split());
    Network network = Network.generate(s, topology, master.split());
    Workload workload = Workload.generate(s, follows, master.split());
    FaultPlan faults = FaultPlan.generate(s, master.split());
    VirtualEngine engine =
        new VirtualEngine(s, follows, topology, network, workload, faults, master.split());
    PostCatalog catalog =
        new PostCatalog(s.seed(), s.nodes().count(), workload); // The same keys as the engine's.
    List<CoreEvent> events = new ArrayList<>();
    engine.onCoreEvent(
        (node, e) -> {
          if (node == X) {
            events.add(e);
          }
        });
    List<LogEntry> a = authorEntries(s.seed(), PostCatalog.EPOCH_MILLIS);
    long at = 2 * SEC;
    for (Map.Entry<Integer, byte[]> step : script(a)) {
      engine.injectGossip(at, step.getKey(), X, catalog.topic(A), step.getValue());
      at += SEC;
    }
    engine.run((sim, duration, n) -> {});
    assertThat(events)
        .as("X stored A's post 1 (the marker)")
        .anyMatch(e -> storedFrom(e, a.get(1), catalog.peerId(P)));
    Map<PeerId, String> roles = new HashMap<>();
    for (int i = 0; i < ROLES.length; i++) {
      roles.put(catalog.peerId(i), ROLES[i]);
    }
    return Decisions.of(events, roles);
  }

  private static boolean storedFrom(CoreEvent e, LogEntry entry, PeerId from) {
    return e instanceof CoreEvent.Stored st
        && st.source() == IngestSource.GOSSIP
        && from.equals(st.from())
        && st.entries().stream().anyMatch(x -> x.id().equals(entry.id()));
  }

  // ------------------------------------------------------------------------- running world

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** The same roles on 127.0.0.1: X a running node, P and Q bare GossipSub peers, A only keys. */
  private Decisions runningWorld(long seed) throws Exception {
    SigningKey xRoot = PostCatalog.key(seed, X, "root");
    Identity aIdentity = Identity.of(PostCatalog.key(seed, A, "root").publicKey());
    String topic = Topics.forIdentity(aIdentity);
    NodeConfig config = NodeConfig.loopback().withSync(new NodeConfig.Sync(Duration.ofDays(365)));
    DataDir.Keys keys =
        new DataDir.Keys(
            Identity.of(xRoot.publicKey()),
            xRoot,
            PostCatalog.key(seed, X, "device"),
            PrivKey.generate(new SecureRandom()));
    Node x =
        NodeLauncher.of(config, dir.resolve("x"), keys, group)
            .host(h -> h.inboundRate(1000, 1000))
            .start();
    closing.add(x);
    List<CoreEvent> events = new CopyOnWriteArrayList<>();
    x.addCoreListener(events::add);
    x.follow(aIdentity); // Before any peer is connected: the follow's sync has nobody to ask.
    Map<PeerId, String> roles = new HashMap<>(Map.of(x.host().peerId(), "X"));
    Map<Integer, GossipDriver> peers =
        Map.of(P, peer(x, topic, roles, "P"), Q, peer(x, topic, roles, "Q"));

    List<LogEntry> a = authorEntries(seed, System.currentTimeMillis());
    List<Map.Entry<Integer, byte[]>> steps = script(a);
    PeerId p = roleOf(roles, "P");
    publish(peers, topic, steps.get(0));
    await(
        "X stored A's delegation from P",
        () -> events.stream().anyMatch(e -> storedFrom(e, a.get(0), p)));
    publish(peers, topic, steps.get(1));
    // Q's messages are handled in order, its subscription before its message: once Q is blamed
    // (by whatever rule), X's core knows Q subscribes to A's topic.
    await("X blamed someone", () -> events.stream().anyMatch(e -> e instanceof CoreEvent.Blamed));
    publish(peers, topic, steps.get(2));
    publish(peers, topic, steps.get(3));
    await(
        "X stored A's post 1 from P (the marker)",
        () -> events.stream().anyMatch(e -> storedFrom(e, a.get(1), p)));
    return Decisions.of(List.copyOf(events), roles);
  }

  private static PeerId roleOf(Map<PeerId, String> roles, String role) {
    return roles.entrySet().stream()
        .filter(e -> e.getValue().equals(role))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  private static void publish(
      Map<Integer, GossipDriver> peers, String topic, Map.Entry<Integer, byte[]> step)
      throws Exception {
    assertThat(
            peers
                .get(step.getKey())
                .publish(topic, step.getValue())
                .get(10, TimeUnit.SECONDS)
                .peers())
        .as("the relay reached X")
        .isEqualTo(1);
  }

  /** A bare peer in {@code role}, subscribed to {@code topic}, dialled to X. */
  private GossipDriver peer(Node x, String topic, Map<PeerId, String> roles, String role)
      throws Exception {
    BarePeer peer = BarePeer.start(x, topic, group, closing);
    roles.put(peer.host().peerId(), role);
    return peer.gossip();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("awaiting: " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
