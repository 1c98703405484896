package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.validation.RejectReason;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, cases 3 and 4, through the engine against a real RocksDB store: a target that arrives
 * after its delete is stored without its content and counted; a revocation removes the device's
 * later entries and counts them.
 */
class EngineDeletesAndRevocationsTest extends AliceEngineTest {
  private final SigningKey phone = alice.deviceKey("phone");
  private final LogWriter phoneLog = alice.deviceLog(phone);

  private static Content delete(LogEntry target) {
    return Content.newBuilder()
        .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
        .build();
  }

  @Test
  void targetAfterItsDelete_byGossip_storedWithoutContent_deleted_counted() {
    Engine engine = engine(Budgets.UNLIMITED);
    engine.ingest(alice.delegate(phone, T0_MILLIS).toEnvelopeBytes(), NOW);
    LogEntry target = log.append(post("regretted"), T0_MILLIS + 1);
    engine.ingest(phoneLog.append(delete(target), T0_MILLIS + 2).toEnvelopeBytes(), NOW);

    IngestOutcome o = engine.ingest(target.toEnvelopeBytes(), alice.identity, NOW);

    assertThat(o).isInstanceOf(IngestOutcome.Stored.class);
    assertThat(((IngestOutcome.Stored) o).entry().hasContent()).isFalse();
    LogEntry held = store.entryById(target.id()).orElseThrow();
    assertThat(held.hasContent()).isFalse();
    assertThat(engine.contentState(held)).isEqualTo(ContentState.DELETED);
    assertThat(store.missingContent(alice.identity, 10)).isEmpty();
    assertThat(engine.counts()).containsEntry(Engine.Counter.CONTENT_DROPPED_DELETED, 1L);
    assertThat(engine.countsBySource()).containsEntry("gossip.content_dropped_deleted", 1L);
    // A later full copy is a duplicate: the content never comes back.
    assertThat(engine.ingest(target.toEnvelopeBytes(), NOW))
        .isInstanceOf(IngestOutcome.Duplicate.class);
  }

  @Test
  void entryWithoutContent_noDeleteHeld_isMissingNotDeleted() {
    Engine engine = engine(Budgets.UNLIMITED);
    LogEntry p = log.append(post("hello"), T0_MILLIS + 1);
    engine.ingest(p.withoutContent().toEnvelopeBytes(), NOW);

    assertThat(engine.contentState(store.entryById(p.id()).orElseThrow()))
        .isEqualTo(ContentState.MISSING_NOT_FETCHED);
    assertThat(engine.counts()).doesNotContainKey(Engine.Counter.CONTENT_DROPPED_DELETED);
  }

  @Test
  void revocation_removesTheStolenDevicesLaterPosts_countsThem_laterOnesRefused() {
    Engine engine = engine(Budgets.UNLIMITED);
    LogEntry before = log.append(post("mine"), T0_MILLIS + 1);
    engine.ingest(before.toEnvelopeBytes(), NOW);
    LogEntry stolen1 = log.append(post("stolen 1"), T0_MILLIS + 2);
    LogEntry stolen2 = log.append(post("stolen 2"), T0_MILLIS + 3);
    engine.ingest(stolen1.toEnvelopeBytes(), NOW);
    engine.ingest(stolen2.toEnvelopeBytes(), NOW);

    IngestOutcome o = engine.ingest(alice.revoke(laptop, 1, T0_MILLIS + 4).toEnvelopeBytes(), NOW);

    assertThat(o).isInstanceOf(IngestOutcome.Stored.class);
    assertThat(store.contiguousHead(laptop.publicKey())).isEqualTo(1);
    assertThat(store.entryById(stolen1.id())).isEmpty();
    assertThat(store.entryById(stolen2.id())).isEmpty();
    assertThat(store.entryById(before.id())).isPresent();
    assertThat(engine.counts()).containsEntry(Engine.Counter.PURGED_REVOKED, 2L);
    assertThat(engine.countsBySource()).containsEntry("sync.purged_revoked", 2L);
    // Offered again (by a peer that has not heard of the revocation), they are refused.
    IngestOutcome again = engine.ingest(stolen1.toEnvelopeBytes(), NOW);
    assertThat(again).isInstanceOf(IngestOutcome.Rejected.class);
    assertThat(((IngestOutcome.Rejected) again).reason()).isEqualTo(RejectReason.REVOKED_DEVICE);
  }
}
