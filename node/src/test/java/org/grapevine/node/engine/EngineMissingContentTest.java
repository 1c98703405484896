package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.node.core.Verdicts;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.validation.RejectReason;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, case 2, against a real RocksDB store: an entry that arrives without its content is
 * missing its content, not deleted; a later full copy (or content fetched by hash) fills it in;
 * only a held delete makes it deleted.
 */
class EngineMissingContentTest extends AliceEngineTest {

  @Test
  void bareEntryBySync_isMissingNotDeleted_laterFullCopyFillsIt() {
    Engine engine = engine(Budgets.UNLIMITED);
    LogEntry p = log.append(post("hello"), T0_MILLIS + 1);
    assertThat(engine.ingest(p.withoutContent().toEnvelopeBytes(), NOW))
        .isInstanceOf(IngestOutcome.Stored.class);
    LogEntry held = store.entryById(p.id()).orElseThrow();
    assertThat(engine.contentState(held)).isEqualTo(ContentState.MISSING_NOT_FETCHED);
    long before = store.storedBytes(alice.identity);

    IngestOutcome o = engine.ingest(p.toEnvelopeBytes(), NOW);

    assertThat(o).isInstanceOf(IngestOutcome.ContentFilled.class);
    assertThat(Verdicts.acceptance(o)).isEqualTo(Acceptance.ACCEPT);
    LogEntry now = store.entryById(p.id()).orElseThrow();
    assertThat(now.content()).contains(post("hello"));
    assertThat(engine.contentState(now)).isEqualTo(ContentState.HELD);
    assertThat(store.storedBytes(alice.identity)).isEqualTo(before + p.header().contentSize());
    assertThat(engine.counts()).containsEntry(Engine.Counter.CONTENT_FILLED, 1L);
    // Once held, another copy is a plain duplicate.
    assertThat(engine.ingest(p.toEnvelopeBytes(), NOW)).isInstanceOf(IngestOutcome.Duplicate.class);
  }

  @Test
  void bareEntryBySync_fullCopyByGossip_fillsIt() {
    Engine engine = engine(Budgets.UNLIMITED);
    LogEntry p = log.append(post("hello"), T0_MILLIS + 1);
    engine.ingest(p.withoutContent().toEnvelopeBytes(), NOW);

    assertThat(engine.ingest(p.toEnvelopeBytes(), alice.identity, NOW))
        .isInstanceOf(IngestOutcome.ContentFilled.class);
    assertThat(store.entryById(p.id()).orElseThrow().hasContent()).isTrue();
  }

  @Test
  void bareEntry_thenItsDelete_isDeleted_andAFullCopyDoesNotBringItBack() {
    Engine engine = engine(Budgets.UNLIMITED);
    LogEntry p = log.append(post("regretted"), T0_MILLIS + 1);
    engine.ingest(p.withoutContent().toEnvelopeBytes(), NOW);
    LogEntry delete =
        log.append(
            Content.newBuilder()
                .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(p.id().unsafeBytes())))
                .build(),
            T0_MILLIS + 2);
    assertThat(engine.ingest(delete.toEnvelopeBytes(), NOW))
        .isInstanceOf(IngestOutcome.Stored.class);
    assertThat(engine.contentState(store.entryById(p.id()).orElseThrow()))
        .isEqualTo(ContentState.DELETED);

    assertThat(engine.ingest(p.toEnvelopeBytes(), NOW)).isInstanceOf(IngestOutcome.Duplicate.class);
    assertThat(store.entryById(p.id()).orElseThrow().hasContent()).isFalse();
  }

  @Test
  void quotaDroppedContent_isMissingOverQuota_notFilledWhileOver() {
    LogEntry first = log.append(post("x".repeat(100)), T0_MILLIS + 1);
    Engine engine =
        engine(
            new Budgets(
                delegation.header().contentSize() + first.header().contentSize() + 10, 1 << 20));
    engine.ingest(first.toEnvelopeBytes(), NOW);
    LogEntry second = log.append(post("y".repeat(100)), T0_MILLIS + 2);
    engine.ingest(second.toEnvelopeBytes(), NOW);
    LogEntry held = store.entryById(second.id()).orElseThrow();
    assertThat(held.hasContent()).isFalse();
    assertThat(engine.contentState(held)).isEqualTo(ContentState.MISSING_OVER_QUOTA);

    assertThat(engine.ingest(second.toEnvelopeBytes(), NOW))
        .isInstanceOf(IngestOutcome.Ignored.class);
    assertThat(engine.contentState(store.entryById(second.id()).orElseThrow()))
        .isEqualTo(ContentState.MISSING_OVER_QUOTA);
    assertThat(engine.counts()).containsEntry(Engine.Counter.CONTENT_NOT_FILLED_OVER_QUOTA, 1L);
  }

  @Test
  void fillFetched_checksContentAgainstTheSignedEntry() {
    Engine engine = engine(Budgets.UNLIMITED);
    LogEntry p = log.append(post("fetched"), T0_MILLIS + 1);
    engine.ingest(p.withoutContent().toEnvelopeBytes(), NOW);
    byte[] other = post("something else").toByteArray();

    assertThat(
            engine.fillFetched(alice.identity, p.header().contentHash(), other, IngestSource.SYNC))
        .singleElement()
        .isInstanceOfSatisfying(
            IngestOutcome.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.CONTENT_SIZE_MISMATCH));
    assertThat(store.entryById(p.id()).orElseThrow().hasContent()).isFalse();

    assertThat(
            engine.fillFetched(
                alice.identity,
                p.header().contentHash(),
                p.contentBytes().orElseThrow(),
                IngestSource.SYNC))
        .singleElement()
        .isInstanceOf(IngestOutcome.ContentFilled.class);
    assertThat(store.entryById(p.id()).orElseThrow().content()).contains(post("fetched"));
  }
}
