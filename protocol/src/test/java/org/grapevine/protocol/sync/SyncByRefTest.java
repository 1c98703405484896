package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Addressed;
import org.grapevine.protocol.proto.EntriesByRef;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.proto.WantEntries;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;

/**
 * Entries by reference (sync.proto step 5a), in virtual time: a session asks a peer that answers
 * refs for the entries its node wants, one WantEntries at a time, takes only items it asked for,
 * and serves any entry it holds with its delegation; refs not held are simply left out, and a peer
 * that asks for too many or answers what was not asked fails the session, its own fault.
 */
class SyncByRefTest {
  private static final PersonLogs ALICE = new PersonLogs("alice", 40);
  private static final PersonLogs BOB = new PersonLogs("bob", 1);

  private final SyncTestNode node = new SyncTestNode();
  private final List<SyncEvent> events = new ArrayList<>();
  private final List<byte[]> sent = new ArrayList<>();
  private SyncSession session;
  private long now = 1;

  private static LogEntry post(int seq) {
    return ALICE.deviceLogs.get(0).get(seq - 1);
  }

  private static EntryRef ref(LogEntry e) {
    return new EntryRef(e.header().identity(), e.id());
  }

  private static byte[] item(LogEntry e) {
    return AddressedCodec.encode(e, ALICE.root.get(0));
  }

  @Test
  void pair_wantedEntryHeldByPeer_arrivesWithItsDelegation_notHeldOnesLeftOut() {
    SyncTestNode server = new SyncTestNode();
    ALICE.giveTo(server, 3);
    SyncTestNode client = new SyncTestNode();
    LogEntry notHeld = ALICE.deviceLogs.get(0).get(10);
    client.wanted.addAll(List.of(ref(post(2)), ref(notHeld)));
    // Neither follows Alice: the entry is served by reference alone.
    SyncPair pair =
        new SyncPair(
            client,
            new SyncSession(Set.of(BOB.identity()), client, SyncSessionTest.SMALL, 0),
            server,
            new SyncSession(Set.of(), server, SyncSessionTest.SMALL, 0));
    pair.drive();

    pair.assertCompleted();
    List<byte[]> items =
        pair.a.events.stream()
            .filter(e -> e instanceof SyncEvent.EntriesByRefReceived)
            .flatMap(e -> ((SyncEvent.EntriesByRefReceived) e).items().stream())
            .toList();
    assertThat(items).hasSize(1);
    Verification v = new AddressedValidator(new EntryValidator()).validate(items.get(0));
    assertThat(v).isInstanceOf(Verification.Valid.class);
    LogEntry got = ((Verification.Valid) v).entry();
    assertThat(got.id()).isEqualTo(post(2).id());
    assertThat(got.content()).isEqualTo(post(2).content());
  }

  @Test
  void peerThatDoesNotAnswerRefs_isNotAsked() {
    node.wanted.add(ref(post(1)));
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    // A peer before step 5a: answers content and names, not refs.
    receive(
        FakePeer.wrap(
            SyncMessage.newBuilder()
                .setHeads(
                    Heads.newBuilder()
                        .setLast(true)
                        .setAnswersContent(true)
                        .setAnswersByName(true))));
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(SyncMessage.BodyCase.HEADS, SyncMessage.BodyCase.DONE);
  }

  /** The node wants {@code n} of Alice's posts; the peer answers refs. Returns the first want. */
  private WantEntries asking(int n) {
    for (int i = 1; i <= n; i++) {
      node.wanted.add(ref(post(i)));
    }
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    receive(headsAnsweringRefs());
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(SyncMessage.BodyCase.HEADS, SyncMessage.BodyCase.WANT_ENTRIES);
    WantEntries want = SyncPair.parse(sent.get(1)).getWantEntries();
    sent.clear();
    return want;
  }

  private static byte[] headsAnsweringRefs() {
    return FakePeer.wrap(
        SyncMessage.newBuilder().setHeads(Heads.newBuilder().setLast(true).setAnswersRefs(true)));
  }

  @Test
  void moreRefsThanOneWant_askedOneWantAtATime_doneAfterTheLastAnswer() {
    WantEntries first = asking(SyncLimits.MAX_REFS_PER_WANT + 3);
    assertThat(first.getRefsCount()).isEqualTo(SyncLimits.MAX_REFS_PER_WANT);
    assertThat(first.getRefs(0).getEntry()).isEqualTo(bytes(post(1).id()));

    receive(entriesByRef(item(post(1)), item(post(5))));
    assertThat(events)
        .singleElement()
        .satisfies(e -> assertThat(((SyncEvent.EntriesByRefReceived) e).items()).hasSize(2));
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(SyncMessage.BodyCase.WANT_ENTRIES);
    assertThat(SyncPair.parse(sent.get(0)).getWantEntries().getRefsCount()).isEqualTo(3);
    sent.clear();

    receive(entriesByRef()); // The peer holds none of the last three: simply absent.
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(SyncMessage.BodyCase.DONE);
    receive(FakePeer.done());
    assertThat(session.isOver()).isTrue();
    assertThat(events.get(events.size() - 1)).isInstanceOf(SyncEvent.Completed.class);
  }

  @Test
  void entriesByRef_nothingAsked_unrequested() {
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    receive(entriesByRef(item(post(1))));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entriesByRef_itemNotAsked_unrequested() {
    asking(2);
    receive(entriesByRef(item(post(3))));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entriesByRef_sameItemTwice_unrequested() {
    asking(2);
    receive(entriesByRef(item(post(1)), item(post(1))));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entriesByRef_outOfOrder_unrequested() {
    asking(2);
    receive(entriesByRef(item(post(2)), item(post(1))));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entriesByRef_entryOfAnotherIdentityThanAsked_unrequested() {
    node.wanted.add(new EntryRef(BOB.identity(), post(1).id()));
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    receive(headsAnsweringRefs());
    receive(entriesByRef(item(post(1))));
    assertFailed(SyncErrorCode.UNREQUESTED_ENTRIES);
  }

  @Test
  void entriesByRef_oversizeItem_tooLarge() {
    asking(1);
    Addressed big =
        parse(item(post(1))).toBuilder()
            .setDelegation(
                parse(item(post(1))).getDelegation().toBuilder()
                    .setContent(ByteString.copyFrom(new byte[Limits.MAX_ADDRESSED_BYTES])))
            .build();
    receive(
        FakePeer.wrap(
            SyncMessage.newBuilder().setEntriesByRef(EntriesByRef.newBuilder().addItems(big))));
    assertFailed(SyncErrorCode.MESSAGE_TOO_LARGE);
  }

  @Test
  void wantEntries_servedAtOnce_heldItemsOnlyInTheOrderAsked() {
    ALICE.giveTo(node, 2);
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    drain();
    sent.clear();
    receive(SyncMessageCodec.wantEntries(List.of(ref(post(2)), ref(post(9)), ref(post(1)))));
    EntriesByRef answer = SyncPair.parse(sent.get(0)).getEntriesByRef();
    assertThat(answer.getItemsList())
        .extracting(Addressed::toByteArray)
        .containsExactly(item(post(2)), item(post(1)));
    assertThat(session.isOver()).isFalse();
  }

  @Test
  void wantEntries_tooManyInOne_tooManyRefs() {
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    List<EntryRef> refs = new ArrayList<>();
    for (int i = 1; i <= SyncLimits.MAX_REFS_PER_WANT + 1; i++) {
      refs.add(ref(post(i)));
    }
    receive(SyncMessageCodec.wantEntries(refs));
    assertFailed(SyncErrorCode.TOO_MANY_REFS);
  }

  @Test
  void wantEntries_overTheSessionLimit_tooManyRefs() {
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    List<EntryRef> refs = new ArrayList<>();
    for (int i = 1; i <= SyncLimits.MAX_REFS_PER_WANT; i++) {
      refs.add(ref(post(i)));
    }
    for (int i = 0; i < SyncLimits.MAX_REFS_PER_SESSION / SyncLimits.MAX_REFS_PER_WANT; i++) {
      receive(SyncMessageCodec.wantEntries(refs));
    }
    assertThat(session.isOver()).isFalse();
    events.clear();
    receive(SyncMessageCodec.wantEntries(List.of(ref(post(1)))));
    assertFailed(SyncErrorCode.TOO_MANY_REFS);
  }

  @Test
  void wantEntries_empty_protocolViolation() {
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    receive(
        FakePeer.wrap(SyncMessage.newBuilder().setWantEntries(WantEntries.getDefaultInstance())));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void wantEntries_shortEntryId_malformed() {
    session = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    receive(
        FakePeer.wrap(
            SyncMessage.newBuilder()
                .setWantEntries(
                    WantEntries.newBuilder()
                        .addRefs(
                            Ref.newBuilder()
                                .setIdentity(FakePeer.key(ALICE.identity().root()))
                                .setEntry(ByteString.copyFrom(new byte[31]))))));
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void codec_wantEntriesAndAnswer_roundTrip_maxAnswerFitsOneMessage() throws Exception {
    List<EntryRef> refs = List.of(ref(post(1)), ref(post(2)));
    WantEntries want = SyncMessageCodec.decode(SyncMessageCodec.wantEntries(refs)).getWantEntries();
    assertThat(want.getRefsList())
        .extracting(r -> EntryId.of(r.getEntry().toByteArray()))
        .containsExactly(post(1).id(), post(2).id());
    byte[] answer = SyncMessageCodec.entriesByRef(List.of(item(post(1))));
    assertThat(SyncMessageCodec.decode(answer).getEntriesByRef().getItems(0).toByteArray())
        .isEqualTo(item(post(1)));
    List<byte[]> full = new ArrayList<>();
    for (int i = 0; i < SyncLimits.MAX_REFS_PER_WANT; i++) {
      full.add(new byte[Limits.MAX_ADDRESSED_BYTES]);
    }
    assertThat(SyncMessageCodec.entriesByRef(full).length)
        .isLessThanOrEqualTo(SyncLimits.MAX_MESSAGE_BYTES);
  }

  private static ByteString bytes(EntryId id) {
    return ByteString.copyFrom(id.unsafeBytes());
  }

  private static Addressed parse(byte[] item) {
    try {
      return Addressed.parseFrom(item);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] entriesByRef(byte[]... items) {
    EntriesByRef.Builder b = EntriesByRef.newBuilder();
    for (byte[] item : items) {
      b.addItems(parse(item));
    }
    return FakePeer.wrap(SyncMessage.newBuilder().setEntriesByRef(b));
  }

  private void receive(byte[] message) {
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
