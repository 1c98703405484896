package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.DropReason;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.gossip.NodeGossip;
import org.grapevine.node.storage.MemoryPostStore;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;

/**
 * The node core in virtual time, no sockets: its decisions (verdicts, blame, when to sync and with
 * whom) and its sync sessions between two cores whose bytes this test carries.
 */
class NodeCoreTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long INTERVAL = 60 * SECOND;
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final String aliceTopic = Topics.forIdentity(alice.identity);

  /** Alice's root log: one delegation, held by every side. */
  private final LogEntry delegation = alice.delegate(laptop, T0_MILLIS);

  private final EntryValidator validator = new EntryValidator();
  private final PeerId p = peer("p");
  private final PeerId q = peer("q");
  private final PeerId r = peer("r");
  private long now = 1_000 * SECOND;

  private static PeerId peer(String name) {
    return PeerId.fromPubKey(PubKey.ed25519(TestAuthors.key(name).publicKey().unsafeBytes()));
  }

  /** A node that follows Alice and holds her root log (her laptop's delegation). */
  private final class Side {
    final MemoryPostStore store = new MemoryPostStore(0);
    final Engine engine = new Engine(store, validator, new ChainChecker(), 16, 64);
    final NodeCore core;
    final List<CoreEvent> events = new ArrayList<>();
    final List<CoreCommand> commands = new ArrayList<>();
    final Set<PeerId> gossipPeers = new HashSet<>();

    Side(int peersPerRound) {
      store.follow(alice.identity);
      store.apply(delegation);
      core =
          new NodeCore(
              store,
              engine,
              new GossipRouter(NodeGossip.config(), peer("self"), null, new SplittableRandom(3)),
              new CoreConfig(
                  INTERVAL,
                  peersPerRound,
                  SyncLimits.DEFAULT,
                  nanos -> T0_MILLIS + nanos / 1_000_000L),
              new SplittableRandom(7),
              now);
      core.handleStarted(now);
    }

    /** {@code peer}'s router tells ours it subscribes to {@code topics}. */
    void subscribed(PeerId peer, String... topics) {
      if (gossipPeers.add(peer)) {
        core.handleGossipPeerUp(peer, Direction.INBOUND, GossipProtocol.MESHSUB_V12, null, now);
      }
      RPC.Builder rpc = RPC.newBuilder();
      for (String t : topics) {
        rpc.addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(t));
      }
      core.handleRpc(peer, Rpc.of(rpc.build()), now);
    }

    /** {@code from} forwards {@code e} on Alice's topic; returns the message's verify command. */
    CoreCommand.VerifyGossip receive(PeerId from, LogEntry e) {
      return receive(from, aliceTopic, e.toEnvelopeBytes());
    }

    /** {@code from} forwards {@code data} on {@code topic}; returns its verify command. */
    CoreCommand.VerifyGossip receive(PeerId from, String topic, byte[] data) {
      subscribed(from);
      Message m = Message.newBuilder().setTopic(topic).setData(ByteString.copyFrom(data)).build();
      core.handleRpc(from, Rpc.of(RPC.newBuilder().addPublish(m).build()), now);
      drain();
      CoreCommand last = commands.get(commands.size() - 1);
      assertThat(last).isInstanceOf(CoreCommand.VerifyGossip.class);
      return (CoreCommand.VerifyGossip) last;
    }

    /** The verdict the core gave on message {@code id}, if it judged it. */
    Optional<Acceptance> verdict(MessageId id) {
      drain();
      return events.stream()
          .filter(e -> e instanceof CoreEvent.GossipJudged j && j.id().equals(id))
          .map(e -> ((CoreEvent.GossipJudged) e).verdict())
          .findFirst();
    }

    /** Drains events and commands (bytes stay queued for {@link #carry}). */
    void drain() {
      for (CoreCommand c = core.pollCommand().orElse(null);
          c != null;
          c = core.pollCommand().orElse(null)) {
        commands.add(c);
      }
      for (CoreEvent e = core.pollEvent().orElse(null);
          e != null;
          e = core.pollEvent().orElse(null)) {
        events.add(e);
      }
    }

    List<PeerId> syncDecided(CoreEvent.SyncReason reason) {
      drain();
      return events.stream()
          .filter(e -> e instanceof CoreEvent.SyncDecided d && d.reason() == reason)
          .map(e -> ((CoreEvent.SyncDecided) e).peer())
          .toList();
    }

    List<CoreEvent.Blamed> blamed() {
      drain();
      return events.stream()
          .filter(e -> e instanceof CoreEvent.Blamed)
          .map(e -> (CoreEvent.Blamed) e)
          .toList();
    }
  }

  /** {@code from} forwards {@code e}; the core verifies it at once and judges it. */
  private Acceptance gossip(Side side, PeerId from, LogEntry e) {
    CoreCommand.VerifyGossip v = side.receive(from, e);
    side.core.handleGossipVerified(v.token(), validator.validate(v.envelope()), now);
    return side.verdict(v.id()).orElseThrow();
  }

  private static LogEntry badSignature(LogEntry good) {
    byte[] sig = good.signed().signature();
    sig[0] ^= 1;
    return LogEntry.of(
        SignedEntry.ofVerified(good.header(), good.signed().entryBytes(), sig, good.id()),
        good.contentBytes().orElseThrow(),
        good.content().orElseThrow());
  }

  @Test
  void gap_syncsWithEverySubscriberOfTheTopic_onlyThem() {
    Side x = new Side(1);
    for (PeerId peer : List.of(p, q, r)) {
      x.core.handlePeerConnected(peer, false, now);
    }
    x.subscribed(p, aliceTopic);
    x.subscribed(q, aliceTopic);
    x.subscribed(r, Topics.forIdentity(TestAuthors.person("bob").identity));
    LogWriter log = alice.deviceLog(laptop);
    log.append(post("one"), T0_MILLIS);
    LogEntry two = log.append(post("two"), T0_MILLIS + 1);

    assertThat(gossip(x, p, two)).isEqualTo(Acceptance.ACCEPT); // Buffered behind seq 1.
    assertThat(x.syncDecided(CoreEvent.SyncReason.GAP)).containsExactly(p, q);
    assertThat(x.commands)
        .filteredOn(c -> c instanceof CoreCommand.OpenSync)
        .containsExactly(new CoreCommand.OpenSync(p), new CoreCommand.OpenSync(q));
    assertThat(x.blamed()).isEmpty();
  }

  @Test
  void blame_isTheReasons_badSignatureRejectedAndBlamed_revokedOrUndelegatedIgnored() {
    Side x = new Side(1);
    x.core.handlePeerConnected(p, false, now);
    LogWriter log = alice.deviceLog(laptop);
    LogEntry one = log.append(post("one"), T0_MILLIS);

    assertThat(gossip(x, p, badSignature(one))).isEqualTo(Acceptance.REJECT);
    assertThat(x.blamed())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.peer()).isEqualTo(p);
              assertThat(b.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
            });
    SigningKey phone = alice.deviceKey("phone"); // Not delegated as far as x knows.
    LogEntry undelegated = alice.deviceLog(phone).append(post("from an unknown device"), T0_MILLIS);
    assertThat(gossip(x, q, undelegated)).isEqualTo(Acceptance.IGNORE);
    assertThat(x.blamed()).hasSize(1);
    assertThat(gossip(x, p, one)).isEqualTo(Acceptance.ACCEPT);
  }

  @Test
  void follow_syncsWithSubscribersOfTheNewTopic_aSecondWishWaitsForTheRunningSession() {
    Side x = new Side(1);
    TestAuthors.Person bob = TestAuthors.person("bob");
    x.core.handlePeerConnected(p, false, now);
    x.core.handlePeerConnected(q, false, now);
    x.subscribed(q, Topics.forIdentity(bob.identity));
    x.core.handleFollowed(bob.identity, now);
    x.core.handleFollowed(bob.identity, now); // Wanted again while the first is opening.
    assertThat(x.syncDecided(CoreEvent.SyncReason.FOLLOW)).containsExactly(q);
    assertThat(x.commands).containsExactly(new CoreCommand.OpenSync(q));
    assertThat(rpcsTo(x, q))
        .anySatisfy(
            rpc ->
                assertThat(rpc.getSubscriptionsList())
                    .anySatisfy(
                        sub ->
                            assertThat(sub.getTopicid())
                                .isEqualTo(Topics.forIdentity(bob.identity))));

    long stream = x.core.handleSyncStream(q, now);
    x.core.handlePeerDisconnected(
        q, now); // The session ends with the connection; no AGAIN to a gone peer.
    assertThat(x.syncDecided(CoreEvent.SyncReason.AGAIN)).isEmpty();
    assertThat(x.events)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        CoreEvent.SyncEnded.class,
                        end -> assertThat(end.sync()).isEqualTo(stream)));
  }

  @Test
  void follow_withNoSubscriberKnownYet_syncsWithTheFirstConnectedPeerHeardToSubscribe() {
    // `follow <invite>` dials, then follows at once: the peer's subscriptions may come after.
    Side x = new Side(1);
    TestAuthors.Person bob = TestAuthors.person("bob");
    String bobTopic = Topics.forIdentity(bob.identity);
    x.core.handlePeerConnected(p, false, now);
    x.core.handlePeerConnected(q, false, now);
    x.core.handleFollowed(bob.identity, now);
    assertThat(x.syncDecided(CoreEvent.SyncReason.FOLLOW)).isEmpty();

    x.subscribed(p, aliceTopic); // Not the followed topic: nothing.
    assertThat(x.syncDecided(CoreEvent.SyncReason.FOLLOW)).isEmpty();
    x.subscribed(q, bobTopic);
    x.subscribed(p, bobTopic); // The follow's sync is one: with the first subscriber.
    assertThat(x.syncDecided(CoreEvent.SyncReason.FOLLOW)).containsExactly(q);
    assertThat(x.commands).containsExactly(new CoreCommand.OpenSync(q));
  }

  @Test
  void follow_thenUnfollowBeforeAnySubscriber_syncsWithNobodyLater() {
    Side x = new Side(1);
    TestAuthors.Person bob = TestAuthors.person("bob");
    x.core.handlePeerConnected(p, false, now);
    x.core.handleFollowed(bob.identity, now);
    x.core.handleUnfollowed(bob.identity, now);
    x.subscribed(p, Topics.forIdentity(bob.identity));
    assertThat(x.syncDecided(CoreEvent.SyncReason.FOLLOW)).isEmpty();
    assertThat(x.commands).noneMatch(c -> c instanceof CoreCommand.OpenSync);
  }

  @Test
  void periodicRound_roundRobinOverPeersThatShareATopic() {
    Side x = new Side(1);
    for (PeerId peer : List.of(p, q, r)) {
      x.core.handlePeerConnected(peer, false, now);
    }
    x.subscribed(p, aliceTopic);
    x.subscribed(r, aliceTopic);
    x.subscribed(q); // q shares nothing with x.
    List<PeerId> chosen = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      int before = x.syncDecided(CoreEvent.SyncReason.PERIODIC).size();
      for (int t = 0;
          t < 1000 && x.syncDecided(CoreEvent.SyncReason.PERIODIC).size() == before;
          t++) {
        now = x.core.pollTimeout(); // The router's heartbeats come between the rounds.
        x.core.handleTimeout(now);
      }
      List<PeerId> decided = x.syncDecided(CoreEvent.SyncReason.PERIODIC);
      chosen.add(decided.get(decided.size() - 1));
      x.core.handleSyncOpenFailed(
          chosen.get(chosen.size() - 1), now); // Frees it for the next round.
    }
    assertThat(chosen).containsExactly(p, r, p, r);
  }

  @Test
  void twoCores_syncOverCarriedBytes_followerGetsTheLog_sessionsEndCompleted() {
    Side holder = new Side(1);
    Side follower = new Side(1);
    LogWriter log = alice.deviceLog(laptop);
    for (int i = 1; i <= 300; i++) { // More than one batch.
      holder.engine.ingest(log.append(post("p" + i), T0_MILLIS + i), false, T0_MILLIS + 3_600_000);
    }
    holder.core.handlePeerConnected(q, false, now);
    follower.core.handlePeerConnected(p, true, now);
    assertThat(follower.syncDecided(CoreEvent.SyncReason.CONNECTED)).containsExactly(p);
    long atFollower = follower.core.handleSyncStream(p, now);
    long atHolder = holder.core.handleSyncStream(q, now);
    for (int step = 0;
        step < 100 && follower.store.contiguousHead(laptop.publicKey()) < 300;
        step++) {
      carry(follower, atFollower, holder, atHolder);
      carry(holder, atHolder, follower, atFollower);
    }
    carry(follower, atFollower, holder, atHolder);
    carry(holder, atHolder, follower, atFollower);
    assertThat(follower.store.contiguousHead(laptop.publicKey())).isEqualTo(300);
    for (Side side : List.of(holder, follower)) {
      side.drain();
      assertThat(side.events)
          .anySatisfy(
              e ->
                  assertThat(e)
                      .isInstanceOfSatisfying(
                          CoreEvent.SyncEnded.class, end -> assertThat(end.completed()).isTrue()));
    }
  }

  @Test
  void limitedSync_smallBatchesAndWindow_inFlightFitsOneCircuit_followerGetsTheLog() {
    for (boolean limited : List.of(true, false)) {
      Side holder = new Side(1);
      Side follower = new Side(1);
      LogWriter log = alice.deviceLog(laptop);
      for (int i = 1; i <= 40; i++) { // 40 posts of 7 KiB: 280 KiB, more than a circuit carries.
        holder.engine.ingest(
            log.append(post(i + "x".repeat(7 * 1024)), T0_MILLIS + i),
            false,
            T0_MILLIS + 3_600_000);
      }
      holder.core.handlePeerConnected(q, false, now);
      follower.core.handlePeerConnected(p, true, now);
      long atFollower = follower.core.handleSyncStream(p, limited, now);
      long atHolder = holder.core.handleSyncStream(q, limited, now);
      long mostInFlight = 0;
      for (int step = 0;
          step < 200 && follower.store.contiguousHead(laptop.publicKey()) < 40;
          step++) {
        carry(follower, atFollower, holder, atHolder);
        mostInFlight =
            Math.max(mostInFlight, carryCounting(holder, atHolder, follower, atFollower));
      }
      assertThat(follower.store.contiguousHead(laptop.publicKey())).isEqualTo(40);
      if (limited) {
        assertThat(mostInFlight)
            .as("what the holder sends before the follower acknowledges anything")
            .isLessThanOrEqualTo(2L * (32 * 1024 + 1024));
      } else {
        assertThat(mostInFlight).as("unlimited: one burst").isGreaterThan(128 * 1024);
      }
    }
  }

  /** {@link #carry}, returning the bytes carried. */
  private long carryCounting(Side from, long fromStream, Side to, long toStream) {
    long bytes = 0;
    List<SyncBytes> out = new java.util.ArrayList<>();
    for (SyncBytes b = from.core.pollOutbound().orElse(null);
        b != null;
        b = from.core.pollOutbound().orElse(null)) {
      out.add(b);
      bytes += b.message().length;
    }
    now += SECOND / 100;
    for (SyncBytes b : out) {
      to.core.handleSyncMessage(toStream, b.message(), now);
    }
    carry(from, fromStream, to, toStream);
    return bytes;
  }

  @Test
  void syncWanted_connectedPeerSubscribingToNothingOfOurs_syncDecided_unknownPeer_false() {
    Side x = new Side(0); // No periodic rounds.
    x.core.handlePeerConnected(p, false, now);
    x.subscribed(p, Topics.forIdentity(TestAuthors.person("bob").identity));
    assertThat(x.core.handleSyncWanted(q, now)).isFalse();
    assertThat(x.core.handleSyncWanted(p, now)).isTrue();
    assertThat(x.syncDecided(CoreEvent.SyncReason.REQUESTED)).containsExactly(p);
    assertThat(x.commands).containsExactly(new CoreCommand.OpenSync(p));
  }

  /**
   * Sync by name between two cores: the holder unfollowed Alice but kept her log; the follower asks
   * it by name and gets her history.
   */
  @Test
  void twoCores_holderDoesNotFollowAlice_followerGetsHerLogByName() {
    Side holder = new Side(1);
    Side follower = new Side(1);
    LogWriter log = alice.deviceLog(laptop);
    for (int i = 1; i <= 40; i++) {
      holder.engine.ingest(log.append(post("p" + i), T0_MILLIS + i), false, T0_MILLIS + 3_600_000);
    }
    holder.store.unfollow(alice.identity);
    holder.core.handleUnfollowed(alice.identity, now);
    assertThat(holder.store.follows()).isEmpty();
    assertThat(holder.store.contiguousHead(laptop.publicKey())).isEqualTo(40); // Logs kept.
    holder.core.handlePeerConnected(q, false, now);
    follower.core.handlePeerConnected(p, false, now);
    assertThat(follower.core.handleSyncWanted(p, now)).isTrue();
    long atFollower = follower.core.handleSyncStream(p, now);
    long atHolder = holder.core.handleSyncStream(q, now);
    for (int step = 0; step < 20; step++) {
      carry(follower, atFollower, holder, atHolder);
      carry(holder, atHolder, follower, atFollower);
    }
    assertThat(follower.store.contiguousHead(laptop.publicKey())).isEqualTo(40);
    follower.drain();
    assertThat(follower.events)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        CoreEvent.SyncEnded.class, end -> assertThat(end.completed()).isTrue()));
  }

  /**
   * A followed identity the peer answered by name that it holds nothing of is not named to it again
   * on the same connection (sync.proto step 2a), and is named again once it reconnects.
   */
  @Test
  void aNameThePeerHoldsNothingOf_isNotAskedAgainOnTheSameConnection_butIsAfterReconnecting() {
    TestAuthors.Person bob = TestAuthors.person("bob");
    Side holder = new Side(1);
    Side follower = new Side(1);
    follower.store.follow(bob.identity); // The holder neither follows nor holds Bob.
    follower.core.handleFollowed(bob.identity, now);
    holder.core.handlePeerConnected(q, false, now);
    follower.core.handlePeerConnected(p, false, now);

    assertThat(namedInASession(follower, holder)).contains(bob.identity);
    assertThat(namedInASession(follower, holder)).doesNotContain(bob.identity);

    follower.core.handlePeerDisconnected(p, now);
    holder.core.handlePeerDisconnected(q, now);
    holder.core.handlePeerConnected(q, false, now);
    follower.core.handlePeerConnected(p, false, now);
    assertThat(namedInASession(follower, holder)).contains(bob.identity);
  }

  /**
   * Runs one session from {@code follower} to {@code holder}: the identities it named (WantHeads).
   */
  private List<Identity> namedInASession(Side follower, Side holder) {
    long atFollower = follower.core.handleSyncStream(p, now);
    long atHolder = holder.core.handleSyncStream(q, now);
    List<Identity> named = new ArrayList<>();
    for (int step = 0; step < 20; step++) {
      now += SECOND / 100;
      for (SyncBytes b = follower.core.pollOutbound().orElse(null);
          b != null;
          b = follower.core.pollOutbound().orElse(null)) {
        try {
          org.grapevine.protocol.proto.SyncMessage m =
              org.grapevine.protocol.proto.SyncMessage.parseFrom(b.message());
          for (ByteString key : m.getWantHeads().getIdentitiesList()) {
            named.add(Identity.of(key.toByteArray()));
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
        holder.core.handleSyncMessage(atHolder, b.message(), now);
      }
      carry(holder, atHolder, follower, atFollower);
    }
    follower.drain();
    assertThat(follower.events)
        .filteredOn(e -> e instanceof CoreEvent.SyncEnded end && end.sync() == atFollower)
        .singleElement()
        .satisfies(e -> assertThat(((CoreEvent.SyncEnded) e).completed()).isTrue());
    return named;
  }

  @Test
  void aPeerNamingTooManyIdentities_failsWithTooManyNames_blamedAndCounted() {
    Side x = new Side(1);
    x.core.handlePeerConnected(p, false, now);
    long stream = x.core.handleSyncStream(p, now);
    org.grapevine.protocol.proto.WantHeads.Builder want =
        org.grapevine.protocol.proto.WantHeads.newBuilder();
    for (int i = 0; i <= SyncLimits.MAX_NAMES_PER_WANT; i++) {
      byte[] key = new byte[32];
      key[0] = (byte) i;
      key[1] = (byte) (i >> 8);
      want.addIdentities(ByteString.copyFrom(key));
    }
    x.core.handleSyncMessage(
        stream,
        org.grapevine.protocol.proto.SyncMessage.newBuilder()
            .setVersion(SyncLimits.VERSION)
            .setWantHeads(want)
            .build()
            .toByteArray(),
        now);
    x.drain();
    assertThat(x.blamed())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.peer()).isEqualTo(p);
              assertThat(b.syncError())
                  .isEqualTo(org.grapevine.protocol.sync.SyncErrorCode.TOO_MANY_NAMES);
            });
    assertThat(x.core.peerFaults()).containsEntry(p, 1L);
  }

  @Test
  void aPeerWhoseSessionsFailByItsFaultThreeTimes_isDisconnected() {
    Side x = new Side(1);
    x.core.handlePeerConnected(p, false, now);
    for (int i = 1; i <= 3; i++) {
      long stream = x.core.handleSyncStream(p, now);
      x.core.handleSyncFramingError(
          stream, org.grapevine.protocol.sync.SyncErrorCode.MALFORMED_MESSAGE, "junk", now);
    }
    x.drain();
    assertThat(x.blamed()).hasSize(3).allSatisfy(b -> assertThat(b.peer()).isEqualTo(p));
    assertThat(x.commands)
        .filteredOn(c -> c instanceof CoreCommand.Disconnect)
        .singleElement()
        .isEqualTo(new CoreCommand.Disconnect(p, "3 sync sessions failed by its fault"));
    assertThat(x.core.peerFaults()).containsEntry(p, 3L);
  }

  @Test
  void gossipVerifiedOutOfOrder_isJudgedInArrivalOrder_noGapSeen() {
    Side x = new Side(1);
    x.core.handlePeerConnected(p, false, now);
    x.subscribed(p, aliceTopic);
    LogWriter log = alice.deviceLog(laptop);
    LogEntry one = log.append(post("one"), T0_MILLIS);
    LogEntry two = log.append(post("two"), T0_MILLIS + 1);
    CoreCommand.VerifyGossip v1 = x.receive(p, one);
    CoreCommand.VerifyGossip v2 = x.receive(p, two);

    x.core.handleGossipVerified(v2.token(), validator.validate(v2.envelope()), now);
    assertThat(x.verdict(v2.id())).isEmpty(); // Waits for the first.
    x.core.handleGossipVerified(v1.token(), validator.validate(v1.envelope()), now);

    assertThat(x.verdict(v1.id())).contains(Acceptance.ACCEPT);
    assertThat(x.verdict(v2.id())).contains(Acceptance.ACCEPT);
    assertThat(x.syncDecided(CoreEvent.SyncReason.GAP)).isEmpty();
    assertThat(x.store.contiguousHead(laptop.publicKey())).isEqualTo(2);
  }

  @Test
  void gossipNotVerifiable_isIgnored_notBlamed() {
    Side x = new Side(1);
    LogEntry one = alice.deviceLog(laptop).append(post("one"), T0_MILLIS);
    CoreCommand.VerifyGossip v = x.receive(p, one);
    x.core.handleGossipVerifyFailed(v.token(), now);
    assertThat(x.verdict(v.id())).contains(Acceptance.IGNORE);
    assertThat(x.blamed()).isEmpty();
    assertThat(x.core.gossipMetrics().toString()).isNotEmpty();
  }

  @Test
  void gossipBeyondTheRoutersPendingLimit_isDroppedAndCounted() {
    Side x = new Side(1);
    LogWriter log = alice.deviceLog(laptop);
    int limit = NodeGossip.config().maxPendingValidationsPerTopic();
    for (int i = 0; i < limit; i++) {
      x.receive(p, log.append(post("p" + i), T0_MILLIS + i)); // Never verified.
    }
    int commands = x.commands.size();
    LogEntry over = log.append(post("one too many"), T0_MILLIS + limit);
    Message m =
        Message.newBuilder()
            .setTopic(aliceTopic)
            .setData(ByteString.copyFrom(over.toEnvelopeBytes()))
            .build();
    x.core.handleRpc(p, Rpc.of(RPC.newBuilder().addPublish(m).build()), now);
    x.drain();
    assertThat(x.commands).hasSize(commands); // Not handed out for verification.
    assertThat(x.core.gossipMetrics().drops())
        .containsEntry(DropReason.TOPIC_VALIDATION_QUEUE_FULL, 1L);
  }

  @Test
  void ownEntry_isStoredThenPublishedToTheTopicsSubscribers() {
    Side x = new Side(1);
    x.subscribed(p, aliceTopic);
    x.subscribed(q, Topics.forIdentity(TestAuthors.person("bob").identity));
    LogEntry mine = alice.deviceLog(laptop).append(post("mine"), T0_MILLIS);
    assertThat(x.core.handleOwnEntry(mine, now)).isInstanceOf(IngestOutcome.Stored.class);
    List<RPC> toP = rpcsTo(x, p);
    assertThat(toP)
        .anySatisfy(
            rpc ->
                assertThat(rpc.getPublishList())
                    .singleElement()
                    .satisfies(
                        m ->
                            assertThat(m.getData().toByteArray())
                                .isEqualTo(mine.toEnvelopeBytes())));
    assertThat(rpcsTo(x, q)).allSatisfy(rpc -> assertThat(rpc.getPublishCount()).isZero());
  }

  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final String bobsTo = Topics.forAddressee(bob.identity);

  /** Alice's reply to a post of Bob's, whom the node does not follow. */
  private LogEntry replyToBob() {
    LogEntry bobPost = bob.deviceLog(bob.deviceKey("phone")).append(post("bob's"), T0_MILLIS);
    return alice.deviceLog(laptop).append(TestContent.reply("hi Bob", bobPost), T0_MILLIS + 1);
  }

  /** That {@code x} sent {@code peer} exactly one message, on Bob's addressee topic: {@code e}. */
  private void sentOnBobsTopic(Side x, PeerId peer, LogEntry e) {
    List<Message> sent =
        rpcsTo(x, peer).stream().flatMap(rpc -> rpc.getPublishList().stream()).toList();
    assertThat(sent).singleElement().satisfies(m -> assertThat(m.getTopic()).isEqualTo(bobsTo));
    Verification v =
        new AddressedValidator(validator).validate(sent.get(0).getData().toByteArray());
    assertThat(v).isInstanceOf(Verification.Valid.class);
    assertThat(((Verification.Valid) v).entry().id()).isEqualTo(e.id());
  }

  @Test
  void ownReplyToBob_isPublishedOnBobsAddresseeTopic_withItsDelegation() {
    Side x = new Side(1);
    x.subscribed(p, bobsTo);
    LogEntry reply = replyToBob();

    assertThat(x.core.handleOwnEntry(reply, now)).isInstanceOf(IngestOutcome.Stored.class);

    sentOnBobsTopic(x, p, reply);
  }

  /**
   * With no connected subscriber of Bob's addressee topic, a reply to Bob waits (published then, it
   * would go nowhere and block the same bytes later): the first peer heard to subscribe gets it.
   */
  @Test
  void ownReplyToBob_withNoPeerOfHisTopic_waitsForTheFirstSubscriber() {
    Side x = new Side(1);
    x.subscribed(p, aliceTopic);
    LogEntry reply = replyToBob();

    assertThat(x.core.handleOwnEntry(reply, now)).isInstanceOf(IngestOutcome.Stored.class);
    assertThat(rpcsTo(x, p).stream().flatMap(rpc -> rpc.getPublishList().stream()))
        .noneSatisfy(m -> assertThat(m.getTopic()).isEqualTo(bobsTo));
    assertThat(x.core.addressedOutbox()).isEqualTo(new OutboxCounts(1, 0, 0, 0, 1));

    now += SECOND;
    x.subscribed(q, bobsTo);
    sentOnBobsTopic(x, q, reply);
    assertThat(x.core.addressedOutbox()).isEqualTo(new OutboxCounts(1, 1, 0, 0, 0));
  }

  /** A reply that no subscriber came for is dropped after its time, counted, and never sent. */
  @Test
  void ownReplyToBob_thatNoPeerCameFor_expiresCounted() {
    Side x = new Side(1);
    x.core.handleOwnEntry(replyToBob(), now);
    assertThat(x.core.pollTimeout() - (now + AddressedOutbox.TTL_NANOS)).isNotPositive();

    now += AddressedOutbox.TTL_NANOS;
    x.core.handleTimeout(now);
    x.subscribed(q, bobsTo);

    assertThat(x.core.addressedOutbox()).isEqualTo(new OutboxCounts(1, 0, 1, 0, 0));
    assertThat(rpcsTo(x, q)).allSatisfy(rpc -> assertThat(rpc.getPublishCount()).isZero());
  }

  /** Carol, a stranger to Alice's node: her phone, its delegation (the proof) and its log. */
  private static final class Stranger {
    final TestAuthors.Person person = TestAuthors.person("carol");
    final SigningKey phone = person.deviceKey("phone");
    final LogEntry proof = person.delegate(phone, T0_MILLIS);
    final LogWriter log = person.deviceLog(phone);
  }

  /**
   * {@code from} forwards {@code e} with {@code proof} on Alice's addressee topic; the verdict once
   * it is verified.
   */
  private Optional<Acceptance> addressedToAlice(Side x, PeerId from, LogEntry e, LogEntry proof) {
    CoreCommand.VerifyGossip v =
        x.receive(from, Topics.forAddressee(alice.identity), AddressedCodec.encode(e, proof));
    assertThat(v.addressed()).isTrue();
    x.core.handleGossipVerified(
        v.token(), new AddressedValidator(validator).validate(v.envelope()), now);
    return x.verdict(v.id());
  }

  @Test
  void addressedToAlice_byAStranger_isStoredLoose_aForgedOneIsRejectedAndBlamed() {
    Side x = new Side(1);
    LogEntry alicePost = alice.deviceLog(laptop).append(post("alice's"), T0_MILLIS);
    x.store.apply(alicePost);
    Stranger carol = new Stranger();
    LogEntry reply = carol.log.append(TestContent.reply("hi Alice", alicePost), T0_MILLIS + 1);

    assertThat(addressedToAlice(x, p, reply, carol.proof)).contains(Acceptance.ACCEPT);
    assertThat(x.store.replies(alicePost.id()))
        .extracting(LogEntry::id)
        .containsExactly(reply.id());

    LogEntry elsewhere = carol.log.append(TestContent.reply("not to Alice", reply), T0_MILLIS + 2);
    assertThat(addressedToAlice(x, q, elsewhere, carol.proof)).contains(Acceptance.REJECT);
    assertThat(x.blamed())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.peer()).isEqualTo(q);
              assertThat(b.reason()).isEqualTo(RejectReason.NOT_ADDRESSED);
            });
  }

  /**
   * A revoked device's addressed entry is refused. Only a forwarder that follows the writer (it
   * holds the revocation) is blamed, and only once the revocation is old enough to have reached it;
   * a relay that does not follow the writer could not know.
   */
  @Test
  void aRevokedDevicesAddressedEntry_blamesAForwarderThatFollowsTheWriter_onceTheRevocationIsOld() {
    Side x = new Side(1);
    LogEntry alicePost = alice.deviceLog(laptop).append(post("alice's"), T0_MILLIS);
    x.store.apply(alicePost);
    Stranger carol = new Stranger();
    carol.log.append(post("before"), T0_MILLIS + 1);
    long wallNow = T0_MILLIS + now / 1_000_000L;
    // Carol's root log as Bob's node holds it: the phone revoked after seq 1, a minute ago.
    x.store.apply(carol.proof);
    x.store.apply(carol.person.revoke(carol.phone, 1, wallNow - 60_000));
    String carolsTopic = Topics.forIdentity(carol.person.identity);
    PeerId follower = peer("carol's follower");
    x.subscribed(follower, carolsTopic);

    LogEntry first = carol.log.append(TestContent.reply("stolen phone", alicePost), wallNow - 1);
    assertThat(addressedToAlice(x, follower, first, carol.proof))
        .as("it may not have the revocation yet")
        .contains(Acceptance.IGNORE);

    now += NodeCore.REVOCATION_GRACE_MILLIS * 1_000_000L;
    LogEntry later = carol.log.append(TestContent.reply("again", alicePost), wallNow + 1);
    assertThat(addressedToAlice(x, p, later, carol.proof))
        .as("p does not follow Carol")
        .contains(Acceptance.IGNORE);
    assertThat(x.blamed()).isEmpty();

    LogEntry last = carol.log.append(TestContent.reply("and again", alicePost), wallNow + 2);
    assertThat(addressedToAlice(x, follower, last, carol.proof)).contains(Acceptance.REJECT);
    assertThat(x.blamed())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.peer()).isEqualTo(follower);
              assertThat(b.reason()).isEqualTo(RejectReason.REVOKED_KNOWN);
            });
    assertThat(x.store.replies(alicePost.id())).isEmpty();
  }

  @Test
  void aPeerForwardingMoreThanTwiceTheWriterLimit_isRejectedForFlooding_anotherPeerIsNot() {
    Side x = new Side(1);
    LogEntry alicePost = alice.deviceLog(laptop).append(post("alice's"), T0_MILLIS);
    x.store.apply(alicePost);
    Stranger carol = new Stranger();
    int limit = org.grapevine.node.engine.LooseLimits.Config.DEFAULT.perWriterEntries();
    List<Acceptance> fromP = new ArrayList<>();
    for (int i = 0; i < 2 * limit + 2; i++) {
      LogEntry reply = carol.log.append(TestContent.reply("spam " + i, alicePost), T0_MILLIS + i);
      fromP.add(addressedToAlice(x, p, reply, carol.proof).orElseThrow());
    }
    // Within the limit: stored; then over it but within what an honest relay may forward:
    // ignored, nobody blamed; beyond twice the limit: rejected as a flood.
    assertThat(fromP.subList(0, limit)).containsOnly(Acceptance.ACCEPT);
    assertThat(fromP.subList(limit, 2 * limit)).containsOnly(Acceptance.IGNORE);
    assertThat(fromP.subList(2 * limit, fromP.size())).containsOnly(Acceptance.REJECT);
    assertThat(x.blamed())
        .hasSize(2)
        .allSatisfy(
            b -> {
              assertThat(b.peer()).isEqualTo(p);
              assertThat(b.reason()).isEqualTo(RejectReason.FLOOD);
            });
    // Another peer relaying one more of Carol's is only ignored (over her limit, not its flood).
    LogEntry more = carol.log.append(TestContent.reply("more", alicePost), T0_MILLIS + 99);
    assertThat(addressedToAlice(x, q, more, carol.proof)).contains(Acceptance.IGNORE);
  }

  /** The gossip RPCs the core has for {@code peer} (and drops the others'). */
  private static List<RPC> rpcsTo(Side x, PeerId peer) {
    List<RPC> out = new ArrayList<>();
    for (OutboundRpc o = x.core.pollRpc().orElse(null);
        o != null;
        o = x.core.pollRpc().orElse(null)) {
      if (o.to().equals(peer)) {
        out.add(o.rpc().proto());
      }
    }
    return out;
  }

  /** Moves {@code from}'s bytes to {@code to}, verifying and storing every batch at once. */
  private void carry(Side from, long fromStream, Side to, long toStream) {
    now += SECOND / 100;
    for (SyncBytes b = from.core.pollOutbound().orElse(null);
        b != null;
        b = from.core.pollOutbound().orElse(null)) {
      assertThat(b.sync()).isEqualTo(fromStream);
      to.core.handleSyncMessage(toStream, b.message(), now);
    }
    for (Side side : List.of(from, to)) {
      for (CoreCommand c = side.core.pollCommand().orElse(null);
          c != null;
          c = side.core.pollCommand().orElse(null)) {
        if (c instanceof CoreCommand.VerifyBatch v) {
          List<Verification> verified = v.envelopes().stream().map(validator::validate).toList();
          side.core.handleSyncVerified(v.sync(), v.batch(), verified, now);
        }
        side.commands.add(c);
      }
    }
  }

  @Test
  void repostOfAnOriginalNotHeld_syncsWithItsIdentitysSubscribers_elseWithTheSender() {
    Side x = new Side(1);
    TestAuthors.Person carol = TestAuthors.person("carol");
    LogWriter carolLog = carol.deviceLog(carol.deviceKey("phone"));
    for (PeerId peer : List.of(p, q, r)) {
      x.core.handlePeerConnected(peer, false, now);
    }
    x.subscribed(r, Topics.forIdentity(carol.identity));
    LogWriter log = alice.deviceLog(laptop);
    LogEntry carols = carolLog.append(post("carol's"), T0_MILLIS);
    LogEntry repost = log.append(TestContent.repost(carols), T0_MILLIS + 1);

    assertThat(gossip(x, p, repost)).isEqualTo(Acceptance.ACCEPT);
    assertThat(x.syncDecided(CoreEvent.SyncReason.ORIGINAL))
        .as("r follows carol, so holds her post")
        .containsExactly(r);
    assertThat(x.core.wantedOriginals()).containsExactly(1, 0);

    // Quoting the same original again wants nothing new.
    LogEntry quote = log.append(TestContent.quote("again", carols), T0_MILLIS + 2);
    assertThat(gossip(x, p, quote)).isEqualTo(Acceptance.ACCEPT);
    assertThat(x.syncDecided(CoreEvent.SyncReason.ORIGINAL)).hasSize(1);

    // An original nobody is known to follow: the sender, who holds the repost, is asked.
    TestAuthors.Person dave = TestAuthors.person("dave");
    LogEntry daves = dave.deviceLog(dave.deviceKey("phone")).append(post("dave's"), T0_MILLIS);
    assertThat(gossip(x, q, log.append(TestContent.repost(daves), T0_MILLIS + 3)))
        .isEqualTo(Acceptance.ACCEPT);
    assertThat(x.syncDecided(CoreEvent.SyncReason.ORIGINAL)).containsExactly(r, q);
  }
}
