package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;

/** Two honest sessions over in-memory logs. */
class SyncSessionTest {
  /** Small batches and a small window, so that every test crosses many batches. */
  static final SyncLimits SMALL =
      new SyncLimits(32, SyncLimits.MAX_BATCH_BYTES, 3, 30_000_000_000L);

  private final PersonLogs alice = new PersonLogs("alice", 250, 100);
  private final PersonLogs bob = new PersonLogs("bob", 150);
  private final PersonLogs carol = new PersonLogs("carol", 120);
  private final SyncTestNode nodeA = new SyncTestNode();
  private final SyncTestNode nodeB = new SyncTestNode();

  private SyncPair pair(Set<Identity> followsA, Set<Identity> followsB, SyncLimits limits) {
    return new SyncPair(
        nodeA,
        new SyncSession(followsA, nodeA, limits, 0),
        nodeB,
        new SyncSession(followsB, nodeB, limits, 0));
  }

  @Test
  void sync_aBehindBy500On3Identities_convergesExactly() {
    alice.giveTo(nodeA, 50, 20);
    bob.giveTo(nodeA, 30);
    nodeA.addAll(carol.root);
    alice.giveTo(nodeB, 250, 100);
    bob.giveTo(nodeB, 150);
    carol.giveTo(nodeB, 120);
    Set<Identity> all = Set.of(alice.identity(), bob.identity(), carol.identity());

    SyncPair p = pair(all, all, SMALL).drive();

    p.assertCompleted();
    assertSameLogs(List.of(alice, bob, carol));
    SyncStats stats = ((SyncEvent.Completed) p.a.lastEvent()).stats();
    assertThat(stats.entriesReceived()).isEqualTo(200 + 80 + 120 + 120);
    assertThat(stats.entriesSent()).isZero();
    assertThat(p.b.maxBatchesInFlight).isLessThanOrEqualTo(SMALL.creditWindowBatches());
  }

  @Test
  void sync_eachHoldsDifferentParts_eachServesTheOther() {
    alice.giveTo(nodeA, 250, 10);
    bob.giveTo(nodeA, 0);
    alice.giveTo(nodeB, 5, 100);
    bob.giveTo(nodeB, 150);
    Set<Identity> both = Set.of(alice.identity(), bob.identity());

    SyncPair p = pair(both, both, SMALL).drive();

    p.assertCompleted();
    assertSameLogs(List.of(alice, bob));
    assertThat(nodeA.contiguousHead(alice.device(0))).isEqualTo(250);
    assertThat(nodeA.contiguousHead(alice.device(1))).isEqualTo(100);
    assertThat(nodeA.contiguousHead(bob.device(0))).isEqualTo(150);
    SyncStats a = ((SyncEvent.Completed) p.a.lastEvent()).stats();
    assertThat(a.entriesReceived()).isEqualTo(90 + 150);
    assertThat(a.entriesSent()).isEqualTo(245);
  }

  /**
   * Sync by name (sync.proto step 2a): besides the identities both follow, each side gets the
   * history of what it follows from the other if the other holds it, and nothing of what it does
   * not follow.
   */
  @Test
  void sync_differentFollows_intersectionAndHeldByNameSynced() {
    alice.giveTo(nodeA, 10, 0);
    bob.giveTo(nodeA, 10);
    carol.giveTo(nodeA, 10);
    alice.giveTo(nodeB, 250, 100);
    bob.giveTo(nodeB, 150);
    carol.giveTo(nodeB, 120);

    // A follows alice and bob; B follows alice and carol. Only alice is in both; A names bob,
    // which B holds, and B names carol, of which A holds less than B.
    SyncPair p =
        pair(
                Set.of(alice.identity(), bob.identity()),
                Set.of(alice.identity(), carol.identity()),
                SMALL)
            .drive();

    p.assertCompleted();
    assertSameLogs(List.of(alice, bob));
    assertThat(nodeA.contiguousHead(bob.device(0))).isEqualTo(150);
    assertThat(nodeA.contiguousHead(carol.device(0))).isEqualTo(10);
  }

  @Test
  void sync_nothingToDo_bothCompleteAfterHeadsAndDone() {
    alice.giveTo(nodeA, 3, 3);
    alice.giveTo(nodeB, 3, 3);

    SyncPair p = pair(Set.of(alice.identity()), Set.of(alice.identity()), SMALL).drive();

    p.assertCompleted();
    assertThat(p.a.batchesSent + p.b.batchesSent).isZero();
  }

  @Test
  void credit_nodeDoesNotAcknowledge_serverStopsAtWindowAndResumesPerAcknowledgedBatch() {
    alice.giveTo(nodeA, 0, 0);
    alice.giveTo(nodeB, 250, 0);
    SyncPair p = pair(Set.of(alice.identity()), Set.of(alice.identity()), SMALL);
    p.a.autoAck = false;

    p.drive();
    assertThat(p.b.batchesSent).isEqualTo(SMALL.creditWindowBatches());
    assertThat(p.a.heldBatches).hasSize(SMALL.creditWindowBatches());
    assertThat(nodeA.contiguousHead(alice.device(0))).isZero();

    p.releaseHeld(p.a, p.b, 1);
    p.drive();
    assertThat(p.b.batchesSent).isEqualTo(SMALL.creditWindowBatches() + 1);
    assertThat(nodeA.contiguousHead(alice.device(0))).isEqualTo(32);

    p.a.autoAck = true;
    p.releaseHeld(p.a, p.b, Integer.MAX_VALUE);
    p.drive();
    p.assertCompleted();
    assertThat(nodeA.contiguousHead(alice.device(0))).isEqualTo(250);
    assertThat(p.b.maxBatchesInFlight).isEqualTo(SMALL.creditWindowBatches());
  }

  @Test
  void batches_fullSize_boundedByCountAndBytes() {
    alice.giveTo(nodeA, 0, 0);
    alice.giveTo(nodeB, 250, 100);
    SyncPair p =
        pair(Set.of(alice.identity()), Set.of(alice.identity()), SyncLimits.DEFAULT).drive();

    p.assertCompleted();
    List<Integer> sizes = new ArrayList<>();
    p.a.events.stream()
        .filter(e -> e instanceof SyncEvent.EntriesReceived)
        .forEach(e -> sizes.add(((SyncEvent.EntriesReceived) e).envelopes().size()));
    // 350 device entries with 256 per batch; a batch may span the end of one range and the next.
    assertThat(sizes).containsExactly(256, 94);
    assertSameLogs(List.of(alice));
  }

  @Test
  void batches_largeEntries_boundedByBytes() {
    PersonLogs dave = PersonLogs.padded("dave", 8000, 300);
    nodeA.addAll(dave.root);
    dave.giveTo(nodeB, 300);
    SyncPair p = pair(Set.of(dave.identity()), Set.of(dave.identity()), SyncLimits.DEFAULT).drive();

    p.assertCompleted();
    List<Integer> batchBytes = new ArrayList<>();
    p.a.events.stream()
        .filter(e -> e instanceof SyncEvent.EntriesReceived)
        .forEach(
            e ->
                batchBytes.add(
                    ((SyncEvent.EntriesReceived) e)
                        .envelopes().stream().mapToInt(b -> b.length).sum()));
    assertThat(batchBytes).hasSize(3).allMatch(n -> n <= SyncLimits.MAX_BATCH_BYTES);
    assertThat(batchBytes.get(0)).isGreaterThan(SyncLimits.MAX_BATCH_BYTES - 9000);
    assertThat(nodeA.contiguousHead(dave.device(0))).isEqualTo(300);
  }

  @Test
  void requestRange_gap_fetchesExactlyTheMissingRange() {
    alice.giveTo(nodeA, 5, 0);
    alice.giveTo(nodeB, 20, 0);
    // A's node saw seq 10 by gossip and opens a gap-only session, following nothing in it.
    SyncSession sessionA = new SyncSession(Set.of(), nodeA, SMALL, 0);
    assertThat(sessionA.requestRange(alice.identity(), alice.device(0), 6, 9, 0)).isTrue();
    SyncPair p =
        new SyncPair(
                nodeA, sessionA, nodeB, new SyncSession(Set.of(alice.identity()), nodeB, SMALL, 0))
            .drive();

    p.assertCompleted();
    assertThat(nodeA.contiguousHead(alice.device(0))).isEqualTo(9);
    assertThat(((SyncEvent.Completed) p.a.lastEvent()).stats().entriesReceived()).isEqualTo(4);
  }

  @Test
  void requestRange_beyondWhatPeerHolds_servesWhatItHoldsAndCompletes() {
    alice.giveTo(nodeA, 5, 0);
    alice.giveTo(nodeB, 7, 0);
    SyncSession sessionA = new SyncSession(Set.of(), nodeA, SMALL, 0);
    sessionA.requestRange(alice.identity(), alice.device(0), 6, 100, 0);
    SyncPair p =
        new SyncPair(
                nodeA, sessionA, nodeB, new SyncSession(Set.of(alice.identity()), nodeB, SMALL, 0))
            .drive();

    p.assertCompleted();
    assertThat(nodeA.contiguousHead(alice.device(0))).isEqualTo(7);
  }

  @Test
  void requestRange_afterDone_refused() {
    SyncSession s = new SyncSession(Set.of(), nodeA, SMALL, 0);
    s.handleMessage(FakePeer.heads(true), 1);
    assertThat(s.requestRange(alice.identity(), alice.device(0), 1, 2, 2)).isFalse();
  }

  @Test
  void sync_deletedContent_travelsAsEntryWithoutContent() {
    nodeB.addAll(alice.root);
    List<LogEntry> log = alice.deviceLogs.get(0);
    for (int i = 0; i < 10; i++) {
      nodeB.add(i == 4 ? log.get(i).withoutContent() : log.get(i));
    }
    nodeA.addAll(alice.root);

    SyncPair p = pair(Set.of(alice.identity()), Set.of(alice.identity()), SMALL).drive();

    p.assertCompleted();
    assertThat(nodeA.contiguousHead(alice.device(0))).isEqualTo(10);
    LogEntry deleted = nodeA.view.logEntry(alice.device(0), 5).orElseThrow();
    assertThat(deleted.hasContent()).isFalse();
    assertThat(deleted.id()).isEqualTo(log.get(4).id());
    assertThat(nodeA.view.logEntry(alice.device(0), 6).orElseThrow().hasContent()).isTrue();
  }

  @Test
  void sync_rootLogBehindToo_rootServedBeforeDevicesSoDelegationsArriveFirst() {
    // A holds nothing of alice: every device entry needs the delegation from the root log.
    alice.giveTo(nodeB, 40, 40);

    SyncPair p = pair(Set.of(alice.identity()), Set.of(alice.identity()), SMALL).drive();

    p.assertCompleted();
    assertSameLogs(List.of(alice));
  }

  @Test
  void heads_manyFollowedIdentities_splitOverMessagesLastFlagged() {
    List<Identity> many = new ArrayList<>();
    for (int i = 0; i < SyncLimits.MAX_HEADS_IDENTITIES + 3; i++) {
      many.add(org.grapevine.protocol.testing.TestAuthors.person("p" + i).identity);
    }
    SyncSession s = new SyncSession(many, nodeA, SMALL, 0);
    SyncMessage first = SyncPair.parse(s.pollOutbound().orElseThrow());
    SyncMessage second = SyncPair.parse(s.pollOutbound().orElseThrow());
    assertThat(first.getHeads().getIdentitiesCount()).isEqualTo(SyncLimits.MAX_HEADS_IDENTITIES);
    assertThat(first.getHeads().getLast()).isFalse();
    assertThat(second.getHeads().getIdentitiesCount()).isEqualTo(3);
    assertThat(second.getHeads().getLast()).isTrue();
    assertThat(s.pollOutbound()).isEmpty();
  }

  @Test
  void handleTimeout_peerSilent_failsLocallyAtDeadline() {
    SyncSession s = new SyncSession(Set.of(), nodeA, SMALL, 100);
    assertThat(s.pollTimeout()).hasValue(100 + SMALL.idleTimeoutNanos());
    s.handleTimeout(99 + SMALL.idleTimeoutNanos());
    assertThat(s.pollEvent()).isEmpty();
    s.handleTimeout(100 + SMALL.idleTimeoutNanos());
    SyncEvent.Failed failed = (SyncEvent.Failed) s.pollEvent().orElseThrow();
    assertThat(failed.code()).isEqualTo(SyncErrorCode.TIMEOUT);
    assertThat(failed.fault()).isEqualTo(SyncEvent.Fault.LOCAL);
    assertThat(s.pollTimeout()).isEmpty();
  }

  @Test
  void handleMessage_peerError_failsReportedByPeerWithoutAnswering() {
    SyncSession s = new SyncSession(Set.of(), nodeA, SMALL, 0);
    s.pollOutbound();
    s.handleMessage(SyncMessageCodec.error(SyncErrorCode.TIMEOUT, "bye"), 1);
    assertThat(s.pollEvent())
        .contains(
            new SyncEvent.Failed(SyncErrorCode.TIMEOUT, SyncEvent.Fault.REPORTED_BY_PEER, "bye"));
    assertThat(s.pollOutbound()).isEmpty();
    assertThat(s.isOver()).isTrue();
  }

  /** Every log of the persons is the same on both nodes, and every entry A holds verifies. */
  private void assertSameLogs(List<PersonLogs> persons) {
    EntryValidator validator = new EntryValidator();
    for (PersonLogs person : persons) {
      for (AuthorKey author : person.authors()) {
        long head = nodeB.contiguousHead(author);
        assertThat(nodeA.contiguousHead(author)).as("head of %s", author).isEqualTo(head);
        for (long seq = 1; seq <= head; seq++) {
          LogEntry got = nodeA.view.logEntry(author, seq).orElseThrow();
          LogEntry want = nodeB.view.logEntry(author, seq).orElseThrow();
          assertThat(got.toEnvelopeBytes()).isEqualTo(want.toEnvelopeBytes());
          assertThat(validator.validate(got.toEnvelopeBytes()))
              .isInstanceOf(Verification.Valid.class);
        }
      }
    }
  }
}
