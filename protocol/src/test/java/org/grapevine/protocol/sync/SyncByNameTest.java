package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.NamedHeads;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.proto.WantHeads;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

/**
 * Sync by name (sync.proto step 2a), in virtual time: a side gets the history of an identity it
 * follows from a peer that holds it without following it, old peers (no answers_by_name) are never
 * asked, and a peer that names too much, or answers what was not named, fails the session.
 */
class SyncByNameTest {
  private static final SyncLimits LIMITS =
      new SyncLimits(32, SyncLimits.MAX_BATCH_BYTES, 3, 30_000_000_000L);
  private static final PersonLogs ALICE = new PersonLogs("alice", 70, 5);
  private static final PersonLogs BOB = new PersonLogs("bob", 3);

  private final SyncTestNode nodeA = new SyncTestNode();
  private final SyncTestNode nodeB = new SyncTestNode();
  private final List<SyncEvent> events = new ArrayList<>();
  private final List<byte[]> sent = new ArrayList<>();
  private SyncSession session;
  private long now = 1;

  // ---- two honest sessions ----

  @Test
  void newPeers_serverHoldsButDoesNotFollow_clientGetsHistoryAndContent() {
    // A follows alice and holds her delegations and device 0's post 1 without its content; B
    // holds all of alice (it unfollowed her, say) and follows only bob.
    nodeA.addAll(ALICE.root);
    LogEntry first = ALICE.deviceLogs.get(0).get(0);
    nodeA.add(first.withoutContent());
    nodeA.missing.add(new ContentRef(ALICE.identity(), first.header().contentHash()));
    ALICE.giveTo(nodeB, 70, 5);
    BOB.giveTo(nodeB, 3);

    SyncPair p =
        new SyncPair(
                nodeA,
                new SyncSession(Set.of(ALICE.identity()), nodeA, LIMITS, 0),
                nodeB,
                new SyncSession(Set.of(BOB.identity()), nodeB, LIMITS, 0))
            .drive();

    p.assertCompleted();
    for (AuthorKey author : ALICE.authors()) {
      assertThat(nodeA.contiguousHead(author))
          .as("%s", author)
          .isEqualTo(nodeB.contiguousHead(author));
    }
    assertThat(nodeA.contiguousHead(ALICE.device(0))).isEqualTo(70);
    assertThat(nodeA.contiguousHead(BOB.device(0))).isZero(); // A does not follow bob.
    assertThat(p.a.events)
        .filteredOn(e -> e instanceof SyncEvent.ContentReceived)
        .singleElement()
        .satisfies(
            e ->
                assertThat(((SyncEvent.ContentReceived) e).contents())
                    .singleElement()
                    .satisfies(
                        c -> assertThat(c.bytes()).isEqualTo(first.contentBytes().orElseThrow())));
  }

  @Test
  void newPeers_serverHoldsNothingOfTheName_answersEmptyAndBothComplete() {
    ALICE.giveTo(nodeA, 10, 0);

    SyncPair p =
        new SyncPair(
                nodeA,
                new SyncSession(Set.of(ALICE.identity()), nodeA, LIMITS, 0),
                nodeB,
                new SyncSession(Set.of(BOB.identity()), nodeB, LIMITS, 0))
            .drive();

    p.assertCompleted();
    assertThat(p.b.batchesSent).isZero();
    assertThat(nodeA.contiguousHead(ALICE.device(0))).isEqualTo(10);
  }

  @Test
  void newPeers_manyNames_askedOneWantHeadsAtATime() {
    Set<Identity> follows = new TreeSet<>();
    for (int i = 0; i < SyncLimits.MAX_NAMES_PER_WANT + 88; i++) {
      follows.add(TestAuthors.person("p" + i).identity);
    }
    follows.add(ALICE.identity());
    ALICE.giveTo(nodeB, 70, 5);
    session = new SyncSession(follows, nodeA, LIMITS, 0);
    receive(headsByName(true));
    List<SyncMessage> wants = wantHeadsSent();
    assertThat(wants).hasSize(1);
    assertThat(wants.get(0).getWantHeads().getIdentitiesCount())
        .isEqualTo(SyncLimits.MAX_NAMES_PER_WANT);

    sent.clear();
    receive(namedHeads());
    wants = wantHeadsSent();
    assertThat(wants).hasSize(1);
    assertThat(wants.get(0).getWantHeads().getIdentitiesCount()).isEqualTo(89);
    assertThat(kinds()).doesNotContain(SyncMessage.BodyCase.DONE);

    sent.clear();
    receive(namedHeads());
    assertThat(kinds()).containsExactly(SyncMessage.BodyCase.DONE);
  }

  // ---- old peers ----

  @Test
  void namesAnsweredEmpty_rememberedAndSkipped_nextSessionAsksOnlyTheRest() {
    Set<Identity> follows = new TreeSet<>(identities(3));
    session = new SyncSession(follows, nodeA, LIMITS, 0);
    receive(headsByName(true));
    assertThat(wantHeadsSent())
        .singleElement()
        .satisfies(w -> assertThat(w.getWantHeads().getIdentitiesCount()).isEqualTo(3));
    receive(namedHeads());
    assertThat(session.notHeldByPeer()).containsExactlyInAnyOrderElementsOf(follows);

    // The next session on the same connection skips those the peer holds nothing of.
    Identity newFollow = TestAuthors.person("new-follow").identity;
    Set<Identity> more = new TreeSet<>(follows);
    more.add(newFollow);
    session = new SyncSession(more, nodeA, LIMITS, 1, now);
    session.skipNames(follows);
    sent.clear();
    receive(headsByName(true));
    assertThat(wantHeadsSent())
        .singleElement()
        .satisfies(
            w ->
                assertThat(w.getWantHeads().getIdentitiesList())
                    .containsExactly(FakePeer.key(newFollow.root())));

    // With every name skipped, no WantHeads at all: the session goes straight to Done.
    session = new SyncSession(follows, nodeA, LIMITS, 2, now);
    session.skipNames(follows);
    sent.clear();
    receive(headsByName(true));
    assertThat(wantHeadsSent()).isEmpty();
    assertThat(kinds()).contains(SyncMessage.BodyCase.DONE);
  }

  @Test
  void oldServer_withoutTheFlag_isNeverAskedByName() {
    session = new SyncSession(Set.of(ALICE.identity(), BOB.identity()), nodeA, LIMITS, 0);
    receive(FakePeer.heads(true, FakePeer.identityHeads(BOB.identity(), BOB.device(0), 0)));

    assertThat(kinds()).containsExactly(SyncMessage.BodyCase.HEADS, SyncMessage.BodyCase.DONE);
    assertThat(SyncPair.parse(sent.get(0)).getHeads().getAnswersByName()).isTrue();
  }

  @Test
  void oldClient_namesNothing_newServerSendsNoNamedHeads() {
    ALICE.giveTo(nodeA, 70, 5);
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    // The old client follows alice; the new server holds her without following her.
    receive(FakePeer.heads(true, FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), 0)));
    receive(FakePeer.done());

    assertThat(kinds()).containsExactly(SyncMessage.BodyCase.HEADS, SyncMessage.BodyCase.DONE);
    assertThat(events).singleElement().isInstanceOf(SyncEvent.Completed.class);
  }

  // ---- server limits and misbehaving peers ----

  @Test
  void wantHeads_heldUnfollowedIdentity_answeredThenItsRangesServed() {
    ALICE.giveTo(nodeA, 70, 5);
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    receive(headsByName(true));
    sent.clear();
    receive(wantHeads(ALICE.identity(), BOB.identity()));

    NamedHeads answer = SyncPair.parse(sent.get(0)).getNamedHeads();
    assertThat(answer.getIdentitiesList()).hasSize(1); // Bob: nothing held.
    IdentityHeads alice = answer.getIdentities(0);
    assertThat(alice.getLogs(0).getAuthor()).isEqualTo(FakePeer.key(ALICE.identity().root()));
    assertThat(alice.getLogs(0).getHead()).isEqualTo(2);
    assertThat(alice.getLogsList()).extracting(l -> l.getHead()).contains(70L, 5L);

    sent.clear();
    receive(FakePeer.want(ALICE.identity(), ALICE.device(0), 1, 20));
    receive(FakePeer.credit(1));
    SyncMessage batch = SyncPair.parse(sent.get(0));
    assertThat(batch.getEntries().getEnvelopesCount()).isEqualTo(20);
  }

  @Test
  void want_unfollowedIdentityNotNamed_answeredExhausted() {
    ALICE.giveTo(nodeA, 70, 5);
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    receive(headsByName(true));
    sent.clear();
    receive(FakePeer.want(ALICE.identity(), ALICE.device(0), 1, 20));
    receive(FakePeer.credit(1));

    SyncMessage batch = SyncPair.parse(sent.get(0));
    assertThat(batch.getEntries().getEnvelopesCount()).isZero();
    assertThat(batch.getEntries().getRangeExhausted()).isTrue();
  }

  @Test
  void wantHeads_overTheMessageLimit_tooManyNamesThePeersFault() {
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    receive(wantHeads(identities(SyncLimits.MAX_NAMES_PER_WANT + 1)));
    assertFailed(SyncErrorCode.TOO_MANY_NAMES);
  }

  @Test
  void wantHeads_overTheSessionLimit_tooManyNamesThePeersFault() {
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    List<Identity> batch = identities(SyncLimits.MAX_NAMES_PER_WANT);
    for (int i = 0; i < SyncLimits.MAX_NAMES_PER_SESSION / SyncLimits.MAX_NAMES_PER_WANT; i++) {
      receive(wantHeads(batch)); // Names repeated still count: the limit bounds the look-ups.
    }
    assertThat(events).isEmpty();
    receive(wantHeads(identities(1)));
    assertFailed(SyncErrorCode.TOO_MANY_NAMES);
  }

  @Test
  void wantHeads_empty_protocolViolation() {
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    receive(wantHeads(List.of()));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void wantHeads_afterDone_protocolViolation() {
    session = new SyncSession(Set.of(BOB.identity()), nodeA, LIMITS, 0);
    receive(FakePeer.done());
    receive(wantHeads(List.of(ALICE.identity())));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void namedHeads_notAskedFor_protocolViolation() {
    session = new SyncSession(Set.of(ALICE.identity()), nodeA, LIMITS, 0);
    receive(namedHeads(FakePeer.identityHeads(ALICE.identity(), ALICE.identity().root(), 2)));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void namedHeads_identityNotNamed_protocolViolation() {
    session = new SyncSession(Set.of(ALICE.identity()), nodeA, LIMITS, 0);
    receive(headsByName(true));
    assertThat(wantHeadsSent()).hasSize(1);
    receive(namedHeads(FakePeer.identityHeads(BOB.identity(), BOB.identity().root(), 1)));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void namedHeads_answered_rangesAskedRootFirst() {
    session = new SyncSession(Set.of(ALICE.identity()), nodeA, LIMITS, 0);
    receive(headsByName(true));
    sent.clear();
    receive(
        namedHeads(
            IdentityHeads.newBuilder()
                .setIdentity(FakePeer.key(ALICE.identity().root()))
                .addLogs(FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), 70).getLogs(0))
                .addLogs(
                    FakePeer.identityHeads(ALICE.identity(), ALICE.identity().root(), 2).getLogs(0))
                .build()));
    SyncMessage want = SyncPair.parse(sent.get(0));
    assertThat(want.getWant().getRangesList())
        .extracting(r -> r.getAuthor(), r -> r.getToSeq())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(FakePeer.key(ALICE.identity().root()), 2L),
            org.assertj.core.groups.Tuple.tuple(FakePeer.key(ALICE.device(0)), 70L));
  }

  // ---- helpers ----

  private static List<Identity> identities(int n) {
    List<Identity> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] seed = new byte[32];
      seed[0] = (byte) i;
      seed[1] = (byte) (i >> 8);
      out.add(Identity.of(org.grapevine.protocol.crypto.SigningKey.fromSeed(seed).publicKey()));
    }
    return out;
  }

  private static byte[] headsByName(boolean last) {
    return FakePeer.wrap(
        SyncMessage.newBuilder()
            .setHeads(
                Heads.newBuilder().setLast(last).setAnswersContent(true).setAnswersByName(true)));
  }

  private static byte[] wantHeads(Identity... identities) {
    return wantHeads(List.of(identities));
  }

  private static byte[] wantHeads(List<Identity> identities) {
    WantHeads.Builder w = WantHeads.newBuilder();
    identities.forEach(i -> w.addIdentities(FakePeer.key(i.root())));
    return FakePeer.wrap(SyncMessage.newBuilder().setWantHeads(w));
  }

  private static byte[] namedHeads(IdentityHeads... identities) {
    return FakePeer.wrap(
        SyncMessage.newBuilder()
            .setNamedHeads(NamedHeads.newBuilder().addAllIdentities(List.of(identities))));
  }

  private List<SyncMessage> wantHeadsSent() {
    return sent.stream().map(SyncPair::parse).filter(SyncMessage::hasWantHeads).toList();
  }

  private List<SyncMessage.BodyCase> kinds() {
    return sent.stream().map(m -> SyncPair.parse(m).getBodyCase()).toList();
  }

  private void receive(byte[] message) {
    if (sent.isEmpty() && events.isEmpty()) {
      drain();
    }
    session.handleMessage(message, now++);
    drain();
  }

  private void drain() {
    SessionTap.drain(session, sent, events);
  }

  private void assertFailed(SyncErrorCode code) {
    SessionTap.assertFailedByPeer(session, sent, events, code);
  }
}
