package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session facing a peer that breaks the protocol: each case fails with the right code, the peer
 * at fault, an Error for the peer, and nothing of the bad batch reaches the node.
 */
class SyncSessionMisbehaviourTest {
  private static final SyncLimits LIMITS =
      new SyncLimits(32, SyncLimits.MAX_BATCH_BYTES, 3, 30_000_000_000L);
  private static final PersonLogs ALICE = new PersonLogs("alice", 30);
  private static final PersonLogs BOB = new PersonLogs("bob", 3);

  private final SyncTestNode node = new SyncTestNode();
  private final List<SyncEvent> events = new ArrayList<>();
  private final List<byte[]> sent = new ArrayList<>();
  private SyncSession session;
  private long now = 1;

  /** A holds alice's device log up to 5 and has asked the fake peer for 6..20. */
  @BeforeEach
  void askForSixToTwenty() {
    ALICE.giveTo(node, 5);
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    receive(FakePeer.heads(true, FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), 20)));
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(
            SyncMessage.BodyCase.HEADS, SyncMessage.BodyCase.WANT, SyncMessage.BodyCase.CREDIT);
    assertThat(SyncPair.parse(sent.get(1)).getWant().getRanges(0).getFromSeq()).isEqualTo(6);
    assertThat(SyncPair.parse(sent.get(1)).getWant().getRanges(0).getToSeq()).isEqualTo(20);
    sent.clear();
  }

  @Test
  void entries_inOrder_deliveredAsOneBatch() {
    receive(FakePeer.entries(false, env(6), env(7)));
    assertThat(events).singleElement().isInstanceOf(SyncEvent.EntriesReceived.class);
    assertThat(((SyncEvent.EntriesReceived) events.get(0)).envelopes())
        .containsExactly(env(6), env(7));
  }

  @Test
  void entries_outOfOrder_outOfOrderAndNothingDelivered() {
    receive(FakePeer.entries(false, env(6), env(8)));
    assertFailed(SyncErrorCode.OUT_OF_ORDER);
  }

  @Test
  void entries_repeatedSeq_outOfOrder() {
    receive(FakePeer.entries(false, env(6), env(6)));
    assertFailed(SyncErrorCode.OUT_OF_ORDER);
  }

  @Test
  void entries_otherLog_unrequested() {
    receive(FakePeer.entries(false, BOB.deviceLogs.get(0).get(0).toEnvelopeBytes()));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entries_beyondRange_unrequested() {
    List<byte[]> batch = new ArrayList<>();
    for (int seq = 6; seq <= 21; seq++) {
      batch.add(env(seq));
    }
    receive(FakePeer.entries(false, batch.toArray(byte[][]::new)));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entries_noRangeOpen_unrequested() {
    SyncSession idle = new SyncSession(Set.of(), node, LIMITS, 0);
    session = idle;
    sent.clear();
    receive(FakePeer.entries(false, env(6)));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entries_moreBatchesThanCredit_flowControl() {
    receive(FakePeer.entries(false, env(6)));
    receive(FakePeer.entries(false, env(7)));
    receive(FakePeer.entries(false, env(8)));
    assertThat(events).hasSize(3).allMatch(e -> e instanceof SyncEvent.EntriesReceived);
    events.clear();
    receive(FakePeer.entries(false, env(9)));
    assertFailed(SyncErrorCode.FLOW_CONTROL);
  }

  @Test
  void entries_oversizeEnvelope_tooLarge() {
    LogEntry six = ALICE.deviceLogs.get(0).get(5);
    byte[] fat =
        Envelope.newBuilder()
            .setEntry(ByteString.copyFrom(six.signed().entryBytes()))
            .setSignature(ByteString.copyFrom(six.signed().signature()))
            .setContent(ByteString.copyFrom(new byte[20_000]))
            .build()
            .toByteArray();
    receive(FakePeer.entries(false, fat));
    assertFailed(SyncErrorCode.MESSAGE_TOO_LARGE);
  }

  @Test
  void handleMessage_overMessageLimit_tooLargeBeforeDecoding() {
    receive(new byte[SyncLimits.MAX_MESSAGE_BYTES + 1]);
    assertFailed(SyncErrorCode.MESSAGE_TOO_LARGE);
  }

  @Test
  void handleMessage_garbage_malformed() {
    receive(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void handleMessage_noBody_malformed() {
    receive(FakePeer.wrap(SyncMessage.newBuilder()));
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void handleMessage_otherVersion_unsupportedVersion() {
    receive(
        SyncMessage.newBuilder()
            .setVersion(2)
            .setCredit(org.grapevine.protocol.proto.Credit.newBuilder().setBatches(1))
            .build()
            .toByteArray());
    assertFailed(SyncErrorCode.UNSUPPORTED_VERSION);
  }

  @Test
  void entries_badSignature_nodeRejectsAndNothingStored() {
    byte[] sig = ALICE.deviceLogs.get(0).get(5).signed().signature();
    sig[0] ^= 1;
    byte[] forged =
        Envelope.newBuilder()
            .setEntry(ByteString.copyFrom(ALICE.deviceLogs.get(0).get(5).signed().entryBytes()))
            .setSignature(ByteString.copyFrom(sig))
            .build()
            .toByteArray();
    receive(FakePeer.entries(false, forged));
    SyncEvent.EntriesReceived batch = (SyncEvent.EntriesReceived) events.remove(0);
    String problem = node.ingest(batch.envelopes().get(0), TestAuthors.T0_MILLIS);
    assertThat(problem).startsWith("BAD_SIGNATURE");
    session.rejectEntries(problem, now);
    drain();
    assertFailed(SyncErrorCode.INVALID_ENTRY);
  }

  @Test
  void heads_tooManyIdentities_tooManyItems() {
    session = new SyncSession(Set.of(), node, LIMITS, 0);
    IdentityHeads[] many = new IdentityHeads[SyncLimits.MAX_HEADS_IDENTITIES + 1];
    java.util.Arrays.fill(many, FakePeer.identityHeads(BOB.identity(), BOB.device(0), 1));
    receive(FakePeer.heads(false, many));
    assertFailed(SyncErrorCode.TOO_MANY_ITEMS);
  }

  @Test
  void heads_afterLast_protocolViolation() {
    receive(FakePeer.heads(true));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void heads_shortIdentityKey_malformed() {
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    sent.clear();
    receive(
        FakePeer.wrap(
            SyncMessage.newBuilder()
                .setHeads(
                    org.grapevine.protocol.proto.Heads.newBuilder()
                        .addIdentities(
                            IdentityHeads.newBuilder()
                                .setIdentity(ByteString.copyFrom(new byte[31]))))));
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void heads_headAbove2To63_malformed() {
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    sent.clear();
    receive(FakePeer.heads(true, FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), -1L)));
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void credit_overLimit_flowControl() {
    receive(FakePeer.credit(SyncLimits.MAX_CREDIT_BATCHES));
    assertThat(events).isEmpty();
    receive(FakePeer.credit(1));
    assertFailed(SyncErrorCode.FLOW_CONTROL);
  }

  @Test
  void want_seqZero_malformed() {
    receive(FakePeer.want(ALICE.identity(), ALICE.device(0), 0, 3));
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void done_whileRangesUnanswered_protocolViolation() {
    receive(
        FakePeer.want(ALICE.identity(), ALICE.device(0), 1, 3)); // No credit: nothing served yet.
    receive(FakePeer.done());
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void want_identityNotFollowed_answeredExhaustedNotServed() {
    BOB.giveTo(node, 3);
    receive(FakePeer.want(BOB.identity(), BOB.device(0), 1, 3));
    receive(FakePeer.credit(1));
    assertThat(sent)
        .singleElement()
        .satisfies(
            m -> {
              SyncMessage msg = SyncPair.parse(m);
              assertThat(msg.getEntries().getEnvelopesCount()).isZero();
              assertThat(msg.getEntries().getRangeExhausted()).isTrue();
            });
  }

  private byte[] env(int seq) {
    return ALICE.deviceLogs.get(0).get(seq - 1).toEnvelopeBytes();
  }

  @Test
  void handleFramingError_oversizeLength_messageTooLargeThePeersFault() {
    session.handleFramingError(
        SyncErrorCode.MESSAGE_TOO_LARGE, "varint 2000000 exceeds the limit", now++);
    drain();
    assertFailed(SyncErrorCode.MESSAGE_TOO_LARGE);
  }

  private void receive(byte[] message) {
    session.handleMessage(message, now++);
    drain();
  }

  private void drain() {
    session
        .pollOutbound()
        .ifPresent(
            m -> {
              sent.add(m);
              drain();
            });
    for (SyncEvent e = session.pollEvent().orElse(null);
        e != null;
        e = session.pollEvent().orElse(null)) {
      events.add(e);
    }
  }

  private void assertFailed(SyncErrorCode code) {
    SessionTap.assertFailedByPeer(session, sent, events, code);
    assertThat(node.contiguousHead(ALICE.device(0))).isEqualTo(5);
  }
}
