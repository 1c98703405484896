package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.ContentItem;
import org.grapevine.protocol.proto.Contents;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.proto.WantContent;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;
import org.junit.jupiter.api.Test;

/**
 * Content by hash (sync.proto step 5), in virtual time: a session asks for the content its node
 * lacks of identities both follow, takes only content that hashes to what it asked for, and serves
 * only content it holds of identities it follows; a peer that answers otherwise fails the session,
 * its own fault.
 */
class SyncContentTest {
  private static final SyncLimits LIMITS =
      new SyncLimits(32, SyncLimits.MAX_BATCH_BYTES, 3, 30_000_000_000L);
  private static final PersonLogs ALICE = new PersonLogs("alice", 3);
  private static final PersonLogs BOB = new PersonLogs("bob", 1);

  private final SyncTestNode node = new SyncTestNode();
  private final List<SyncEvent> events = new ArrayList<>();
  private final List<byte[]> sent = new ArrayList<>();
  private SyncSession session;
  private long now = 1;

  private static LogEntry post(int seq) {
    return ALICE.deviceLogs.get(0).get(seq - 1);
  }

  private static ContentRef ref(LogEntry e) {
    return new ContentRef(e.header().identity(), e.header().contentHash());
  }

  /** The node holds alice's log 1..3, seq 2 and 3 without content; the peer's heads are equal. */
  private void askingForTwoAndThree() {
    node.addAll(ALICE.root);
    node.add(post(1));
    node.add(post(2).withoutContent());
    node.add(post(3).withoutContent());
    node.missing.addAll(List.of(ref(post(2)), ref(post(3))));
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    receive(headsAnsweringContent(FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), 3)));
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(
            SyncMessage.BodyCase.HEADS,
            SyncMessage.BodyCase.WANT_CONTENT,
            SyncMessage.BodyCase.CREDIT);
    WantContent want = SyncPair.parse(sent.get(1)).getWantContent();
    assertThat(want.getRefsList())
        .extracting(r -> ContentHash.of(r.getHash().toByteArray()))
        .containsExactly(post(2).header().contentHash(), post(3).header().contentHash());
    sent.clear();
  }

  private static byte[] headsAnsweringContent(org.grapevine.protocol.proto.IdentityHeads heads) {
    return FakePeer.wrap(
        SyncMessage.newBuilder()
            .setHeads(
                org.grapevine.protocol.proto.Heads.newBuilder()
                    .addIdentities(heads)
                    .setLast(true)
                    .setAnswersContent(true)));
  }

  @Test
  void peerOfTheFirstRelease_isNotAskedForContent() {
    node.addAll(ALICE.root);
    node.add(post(1).withoutContent());
    node.missing.add(ref(post(1)));
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    receive(FakePeer.heads(true, FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), 1)));
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(SyncMessage.BodyCase.HEADS, SyncMessage.BodyCase.DONE);
  }

  private static ContentItem item(LogEntry e, byte[] content) {
    ContentItem.Builder b =
        ContentItem.newBuilder()
            .setHash(ByteString.copyFrom(e.header().contentHash().unsafeBytes()));
    if (content != null) {
      b.setContent(ByteString.copyFrom(content));
    }
    return b.build();
  }

  private static byte[] contents(ContentItem... items) {
    return FakePeer.wrap(
        SyncMessage.newBuilder()
            .setContents(Contents.newBuilder().addAllItems(Arrays.asList(items))));
  }

  @Test
  void contents_matchingHashes_deliveredThenDone() {
    askingForTwoAndThree();
    receive(contents(item(post(2), post(2).contentBytes().orElseThrow()), item(post(3), null)));

    assertThat(events).singleElement().isInstanceOf(SyncEvent.ContentReceived.class);
    List<FetchedContent> got = ((SyncEvent.ContentReceived) events.get(0)).contents();
    assertThat(got)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.identity()).isEqualTo(ALICE.identity());
              assertThat(c.hash()).isEqualTo(post(2).header().contentHash());
              assertThat(c.bytes()).isEqualTo(post(2).contentBytes().orElseThrow());
            });
    assertThat(sent)
        .extracting(m -> SyncPair.parse(m).getBodyCase())
        .containsExactly(SyncMessage.BodyCase.DONE);
  }

  @Test
  void contents_badHash_contentMismatchThePeersFault() {
    askingForTwoAndThree();
    receive(contents(item(post(2), post(3).contentBytes().orElseThrow()), item(post(3), null)));
    assertFailed(SyncErrorCode.CONTENT_MISMATCH);
  }

  @Test
  void contents_unknownHash_unrequested() {
    askingForTwoAndThree();
    receive(contents(item(post(1), null), item(post(3), null)));
    assertFailed(SyncErrorCode.UNREQUESTED_CONTENT);
  }

  @Test
  void contents_moreItemsThanAsked_unrequested() {
    askingForTwoAndThree();
    receive(contents(item(post(2), null), item(post(3), null), item(post(1), null)));
    assertFailed(SyncErrorCode.UNREQUESTED_CONTENT);
  }

  @Test
  void contents_fewerItemsThanAsked_protocolViolation() {
    askingForTwoAndThree();
    receive(contents(item(post(2), null)));
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void contents_oversizeContent_tooLarge() {
    askingForTwoAndThree();
    receive(contents(item(post(2), new byte[Limits.MAX_CONTENT_BYTES + 1]), item(post(3), null)));
    assertFailed(SyncErrorCode.MESSAGE_TOO_LARGE);
  }

  @Test
  void contents_shortHash_malformed() {
    askingForTwoAndThree();
    receive(
        contents(
            ContentItem.newBuilder().setHash(ByteString.copyFrom(new byte[31])).build(),
            item(post(3), null)));
    assertFailed(SyncErrorCode.MALFORMED_MESSAGE);
  }

  @Test
  void contents_nothingAsked_unrequested() {
    node.addAll(ALICE.root);
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    receive(contents(item(post(2), null)));
    assertFailed(SyncErrorCode.UNREQUESTED_CONTENT);
  }

  @Test
  void wantContent_tooManyHashes_tooManyItems() {
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    List<ContentRef> refs = new ArrayList<>();
    for (int i = 0; i <= SyncLimits.MAX_CONTENT_PER_WANT; i++) {
      refs.add(ref(post(1 + i % 3)));
    }
    receive(SyncMessageCodec.wantContent(refs));
    assertFailed(SyncErrorCode.TOO_MANY_ITEMS);
  }

  @Test
  void wantContent_tooManyOpen_tooManyItems() {
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    for (int i = 0; i < SyncLimits.MAX_OPEN_CONTENT_WANTS; i++) {
      receive(SyncMessageCodec.wantContent(List.of(ref(post(1)))));
    }
    assertThat(events).isEmpty(); // No credit yet: nothing answered, nothing wrong.
    receive(SyncMessageCodec.wantContent(List.of(ref(post(1)))));
    assertFailed(SyncErrorCode.TOO_MANY_ITEMS);
  }

  @Test
  void wantContent_servedWithinCredit_onlyHeldContentOfFollowedIdentities() {
    ALICE.giveTo(node, 3);
    BOB.giveTo(node, 1);
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    drain();
    sent.clear();
    LogEntry bobs = BOB.deviceLogs.get(0).get(0);
    LogEntry unheld = new PersonLogs("carol", 1).deviceLogs.get(0).get(0);
    receive(
        SyncMessageCodec.wantContent(
            List.of(
                ref(post(2)),
                ref(bobs), // Bob is not followed here: not served though held.
                new ContentRef(ALICE.identity(), unheld.header().contentHash()))));
    assertThat(sent).isEmpty();
    receive(FakePeer.credit(1));

    Contents answer = SyncPair.parse(sent.get(0)).getContents();
    assertThat(answer.getItemsCount()).isEqualTo(3);
    assertThat(answer.getItems(0).getContent().toByteArray())
        .isEqualTo(post(2).contentBytes().orElseThrow());
    assertThat(answer.getItems(1).hasContent()).isFalse();
    assertThat(answer.getItems(2).hasContent()).isFalse();
  }

  @Test
  void done_whileContentWantUnanswered_protocolViolation() {
    session = new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0);
    receive(SyncMessageCodec.wantContent(List.of(ref(post(1)))));
    receive(FakePeer.done());
    assertFailed(SyncErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void pair_contentHeldByOneSide_reachesTheOther_thenBothComplete() {
    SyncTestNode full = new SyncTestNode();
    ALICE.giveTo(full, 3);
    node.addAll(ALICE.root);
    node.add(post(1));
    node.add(post(2).withoutContent());
    node.add(post(3));
    node.missing.add(ref(post(2)));
    SyncPair pair =
        new SyncPair(
            node,
            new SyncSession(Set.of(ALICE.identity()), node, LIMITS, 0),
            full,
            new SyncSession(Set.of(ALICE.identity()), full, LIMITS, 0));

    pair.drive();

    assertThat(pair.a.events)
        .filteredOn(e -> e instanceof SyncEvent.ContentReceived)
        .singleElement()
        .satisfies(
            e ->
                assertThat(((SyncEvent.ContentReceived) e).contents().get(0).bytes())
                    .isEqualTo(post(2).contentBytes().orElseThrow()));
    pair.assertCompleted();
  }

  @Test
  void maxAnswer_fitsOneMessage() {
    List<ContentHash> hashes = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < SyncLimits.MAX_CONTENT_PER_WANT; i++) {
      byte[] c = new byte[Limits.MAX_CONTENT_BYTES];
      c[0] = (byte) i;
      hashes.add(ContentHash.ofContent(c));
      contents.add(c);
    }
    assertThat(SyncMessageCodec.contents(hashes, contents).length)
        .isLessThanOrEqualTo(SyncLimits.MAX_MESSAGE_BYTES);
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
