package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.gossip.NodeGossip;
import org.grapevine.node.storage.MemoryPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Unfollow;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.Test;

/**
 * The extended circle in the node core, in virtual time over a memory store: who is in it as the
 * followed identities' follow entries arrive (by gossip here), the sync it asks for, and the budget
 * at ingestion.
 */
class NodeCoreCircleTest {
  private static final long SECOND = 1_000_000_000L;
  private final TestAuthors.Person self = TestAuthors.person("self");
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final TestAuthors.Person carol = TestAuthors.person("carol");
  private final TestAuthors.Person dave = TestAuthors.person("dave");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final LogWriter aliceLog = alice.deviceLog(laptop);
  private final EntryValidator validator = new EntryValidator();
  private final PeerId p = peer("p");
  private final MemoryPostStore store = new MemoryPostStore(0);
  private final Engine engine = new Engine(store, validator, new ChainChecker(), 16, 64);
  private final List<CoreEvent> events = new ArrayList<>();
  private long now = 1_000 * SECOND;
  private long millis = T0_MILLIS;
  private NodeCore core;

  private static PeerId peer(String name) {
    return PeerId.fromPubKey(PubKey.ed25519(TestAuthors.key(name).publicKey().unsafeBytes()));
  }

  private static Content follow(Identity other) {
    return Content.newBuilder()
        .setFollow(Follow.newBuilder().setIdentity(ByteString.copyFrom(other.root().unsafeBytes())))
        .build();
  }

  private static Content unfollow(Identity other) {
    return Content.newBuilder()
        .setUnfollow(
            Unfollow.newBuilder().setIdentity(ByteString.copyFrom(other.root().unsafeBytes())))
        .build();
  }

  NodeCoreCircleTest() {
    // We follow Alice and hold her root log.
    store.follow(self.identity);
    store.follow(alice.identity);
    store.apply(alice.delegate(laptop, T0_MILLIS));
  }

  /** The core starts, keeping a circle with {@code config}, with peer p connected. */
  private void start(NodeConfig.Circle config) {
    core =
        new NodeCore(
            store,
            engine,
            new GossipRouter(NodeGossip.config(), peer("self"), null, new SplittableRandom(3)),
            new CoreConfig(
                60 * SECOND, 1, SyncLimits.DEFAULT, nanos -> T0_MILLIS + nanos / 1_000_000L),
            new SplittableRandom(7),
            now);
    core.enableCircle(self.identity, config);
    core.handleStarted(now);
    core.handlePeerConnected(p, false, now);
    core.handleGossipPeerUp(p, Direction.INBOUND, GossipProtocol.MESHSUB_V12, null, now);
  }

  /** Alice writes {@code content}; peer p forwards it on her topic; the core judges it. */
  private LogEntry fromAlice(Content content) {
    LogEntry e = aliceLog.append(content, ++millis);
    Message m =
        Message.newBuilder()
            .setTopic(Topics.forIdentity(alice.identity))
            .setData(ByteString.copyFrom(e.toEnvelopeBytes()))
            .build();
    core.handleRpc(p, Rpc.of(RPC.newBuilder().addPublish(m).build()), now);
    CoreCommand.VerifyGossip v = null;
    for (CoreCommand c = core.pollCommand().orElse(null);
        c != null;
        c = core.pollCommand().orElse(null)) {
      if (c instanceof CoreCommand.VerifyGossip g) {
        v = g;
      }
    }
    assertThat(v).isNotNull();
    core.handleGossipVerified(v.token(), validator.validate(v.envelope()), now);
    drain();
    assertThat(store.entryById(e.id())).isPresent();
    return e;
  }

  /** The core's timer fires a second later (the router's heartbeat). */
  private void tick() {
    now += SECOND;
    core.handleTimeout(now);
    drain();
  }

  private void drain() {
    while (core.pollCommand().isPresent()) {
      // Commands are not carried out here.
    }
    for (CoreEvent e = core.pollEvent().orElse(null);
        e != null;
        e = core.pollEvent().orElse(null)) {
      events.add(e);
    }
  }

  private List<Identity> members() {
    return core.circleStatus().members().stream().map(Circle.Member::identity).toList();
  }

  private static final NodeConfig.Circle ROOMY =
      new NodeConfig.Circle(true, 1 << 20, 64 << 20, 500);

  @Test
  void aFollowEntryOfAFollowedIdentity_bringsItsTargetInAtTheNextTimer_andSyncsForIt() {
    start(ROOMY);
    assertThat(members()).isEmpty();
    core.handleRpc(
        p,
        Rpc.of(
            RPC.newBuilder()
                .addSubscriptions(
                    RPC.SubOpts.newBuilder()
                        .setSubscribe(true)
                        .setTopicid(Topics.forIdentity(carol.identity)))
                .build()),
        now);
    drain();

    fromAlice(follow(carol.identity));
    fromAlice(follow(self.identity)); // us: never in our circle
    tick();
    assertThat(members()).containsExactly(carol.identity);
    assertThat(store.follows()).doesNotContain(carol.identity);
    // p follows Carol (subscribes to her topic): the core syncs with it for her log.
    assertThat(events)
        .anyMatch(
            e ->
                e instanceof CoreEvent.SyncDecided d
                    && d.peer().equals(p)
                    && d.reason() == CoreEvent.SyncReason.CIRCLE);

    fromAlice(follow(dave.identity));
    fromAlice(unfollow(carol.identity));
    tick();
    assertThat(members()).containsExactly(dave.identity);

    // We follow Dave ourselves now: he leaves the circle at once (a follow, not a member).
    store.follow(dave.identity);
    core.handleFollowed(dave.identity, now);
    assertThat(members()).isEmpty();
  }

  @Test
  void followSetsHeldAtStartAreWalked_andUnfollowingTheirWriterEmptiesTheCircle() {
    LogEntry f = aliceLog.append(follow(carol.identity), ++millis);
    engine.ingest(f, IngestSource.SYNC, millis);
    start(ROOMY);
    assertThat(members()).containsExactly(carol.identity);

    store.unfollow(alice.identity);
    core.handleUnfollowed(alice.identity, now);
    assertThat(members()).isEmpty();
    assertThat(store.entryById(f.id())).isPresent(); // held entries are kept
  }

  @Test
  void aMemberIsKeptWithinItsBudget_whatDoesNotFitIsCountedAndItIsNoLongerFetched() {
    engine.ingest(aliceLog.append(follow(carol.identity), ++millis), IngestSource.SYNC, millis);
    start(new NodeConfig.Circle(true, 2_000, 64 << 20, 500));
    SigningKey carolLaptop = carol.deviceKey("laptop");
    LogWriter carolLog = carol.deviceLog(carolLaptop);
    engine.ingest(carol.delegate(carolLaptop, T0_MILLIS), IngestSource.SYNC, millis);
    List<IngestOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      outcomes.add(
          engine.ingest(
              carolLog.append(post("x".repeat(900) + i), ++millis), IngestSource.SYNC, millis));
    }
    assertThat(outcomes)
        .allMatch(o -> o instanceof IngestOutcome.Stored) // the chain is whole
        .filteredOn(o -> ((IngestOutcome.Stored) o).budget() == IngestOutcome.BudgetNote.NONE)
        .hasSizeBetween(1, 2);
    assertThat(store.storedBytes(carol.identity)).isLessThanOrEqualTo(2_000);
    CircleStatus status = core.circleStatus();
    assertThat(status.refusedEntries()).isBetween(2L, 3L);
    assertThat(status.refusedBytes()).isGreaterThanOrEqualTo(900 * status.refusedEntries());
    tick();
    assertThat(core.circleStatus().members())
        .singleElement()
        .satisfies(m -> assertThat(m.fetched()).isFalse());
  }

  /**
   * A member that joins while no connected peer subscribes to its topic is synced for with the
   * first one heard to subscribe (a peer the DHT rendezvous found for it, in a node): once, and not
   * for a peer subscribing to a topic of nobody in the circle.
   */
  @Test
  void aMemberWithoutAConnectedSubscriber_isSyncedWithTheFirstPeerHeardToSubscribe() {
    start(ROOMY);
    fromAlice(follow(carol.identity));
    tick();
    assertThat(members()).containsExactly(carol.identity);
    assertThat(events)
        .noneMatch(
            e -> e instanceof CoreEvent.SyncDecided d && d.reason() == CoreEvent.SyncReason.CIRCLE);

    PeerId q = peer("q");
    PeerId r = peer("r");
    for (PeerId other : List.of(q, r)) {
      core.handlePeerConnected(other, false, now);
      core.handleGossipPeerUp(other, Direction.INBOUND, GossipProtocol.MESHSUB_V12, null, now);
    }
    subscribe(r, Topics.forIdentity(dave.identity)); // not a member
    subscribe(q, Topics.forIdentity(carol.identity));
    subscribe(r, Topics.forIdentity(carol.identity)); // the first one was enough

    assertThat(events)
        .filteredOn(
            e -> e instanceof CoreEvent.SyncDecided d && d.reason() == CoreEvent.SyncReason.CIRCLE)
        .extracting(e -> ((CoreEvent.SyncDecided) e).peer())
        .containsExactly(q);
  }

  private void subscribe(PeerId from, String topic) {
    core.handleRpc(
        from,
        Rpc.of(
            RPC.newBuilder()
                .addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic))
                .build()),
        now);
    drain();
  }
}
