package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.proto.Post;
import org.junit.jupiter.api.Test;

/**
 * Budgets at ingestion against a real RocksDB store: quota, attachment cap, usage, counters per
 * source.
 */
class EngineBudgetsTest extends AliceEngineTest {

  private static Content withAttachment(long size) {
    return Content.newBuilder()
        .setPost(
            Post.newBuilder()
                .setText("look")
                .addAttachments(
                    Attachment.newBuilder()
                        .setHash(ByteString.copyFrom(new byte[32]))
                        .setSize(size)
                        .setMediaType("image/png")))
        .build();
  }

  @Test
  void ingest_identityAtQuota_entryChainedWithoutContent_laterEntriesStillAppend() {
    LogEntry first = log.append(post("x".repeat(100)), T0_MILLIS);
    long firstSize = first.header().contentSize();
    // Room for the delegation (content of alice's identity too) and the first post.
    Engine engine =
        engine(new Budgets(delegation.header().contentSize() + firstSize + 10, 1 << 20));
    assertThat(engine.ingest(first.toEnvelopeBytes(), NOW))
        .isInstanceOfSatisfying(
            IngestOutcome.Stored.class,
            s -> assertThat(s.budget()).isEqualTo(IngestOutcome.BudgetNote.NONE));
    long used = engine.usage(alice.identity).usedBytes();
    assertThat(used).isEqualTo(delegation.header().contentSize() + firstSize);

    LogEntry second = log.append(post("y".repeat(100)), T0_MILLIS + 1);
    IngestOutcome o = engine.ingest(second.toEnvelopeBytes(), NOW);
    assertThat(o)
        .isInstanceOfSatisfying(
            IngestOutcome.Stored.class,
            s -> {
              assertThat(s.budget()).isEqualTo(IngestOutcome.BudgetNote.CONTENT_DROPPED_OVER_QUOTA);
              assertThat(s.entry().hasContent()).isFalse();
            });
    // Valid entry, local policy: gossip still accepts and forwards it.
    assertThat(org.grapevine.node.core.Verdicts.acceptance(o)).isEqualTo(Acceptance.ACCEPT);
    assertThat(store.logEntry(laptop.publicKey(), 2).orElseThrow().hasContent()).isFalse();
    assertThat(store.logEntry(laptop.publicKey(), 2).orElseThrow().id()).isEqualTo(second.id());
    assertThat(store.storedBytes(alice.identity)).isEqualTo(used);

    // The chain goes on; a delete of the first post still works and frees the space.
    LogEntry delete =
        log.append(
            Content.newBuilder()
                .setDelete(
                    Delete.newBuilder().setTarget(ByteString.copyFrom(first.id().unsafeBytes())))
                .build(),
            T0_MILLIS + 2);
    assertThat(engine.ingest(delete.toEnvelopeBytes(), NOW))
        .isInstanceOfSatisfying(
            IngestOutcome.Stored.class,
            s -> assertThat(s.budget()).isEqualTo(IngestOutcome.BudgetNote.NONE));
    assertThat(store.contiguousHead(laptop.publicKey())).isEqualTo(3);
    assertThat(store.entryById(first.id()).orElseThrow().hasContent()).isFalse();
    assertThat(engine.usage(alice.identity).usedBytes()).isLessThan(used);
    assertThat(engine.counts())
        .containsEntry(Engine.Counter.CONTENT_DROPPED_OVER_QUOTA, 1L)
        .containsEntry(Engine.Counter.STORED, 4L);
    assertThat(engine.countsBySource())
        .containsEntry("sync.content_dropped_over_quota", 1L)
        .containsEntry("sync.stored", 4L);
  }

  @Test
  void ingest_ownEntryOverQuota_keptWithContent() {
    Engine engine = engine(new Budgets(0, 1 << 20));
    LogEntry mine = log.append(post("mine"), T0_MILLIS);
    assertThat(engine.ingest(mine, IngestSource.OWN, NOW))
        .isInstanceOfSatisfying(
            IngestOutcome.Stored.class,
            s -> assertThat(s.budget()).isEqualTo(IngestOutcome.BudgetNote.NONE));
    assertThat(store.logEntry(laptop.publicKey(), 1).orElseThrow().content())
        .contains(post("mine"));
    assertThat(engine.usage(alice.identity).full()).isTrue();
    assertThat(engine.countsBySource()).containsEntry("own.stored", 1L);
  }

  @Test
  void ingest_attachmentOverCap_storedWithContentAndFlagged() {
    Engine engine = engine(new Budgets(Long.MAX_VALUE, 1000));
    LogEntry small = log.append(withAttachment(1000), T0_MILLIS);
    LogEntry big = log.append(withAttachment(1001), T0_MILLIS);
    assertThat(engine.ingest(small.toEnvelopeBytes(), NOW))
        .isInstanceOfSatisfying(
            IngestOutcome.Stored.class,
            s -> assertThat(s.budget()).isEqualTo(IngestOutcome.BudgetNote.NONE));
    assertThat(engine.ingest(big.toEnvelopeBytes(), alice.identity, NOW))
        .isInstanceOfSatisfying(
            IngestOutcome.Stored.class,
            s -> assertThat(s.budget()).isEqualTo(IngestOutcome.BudgetNote.ATTACHMENT_OVER_CAP));
    assertThat(store.logEntry(laptop.publicKey(), 2).orElseThrow().content())
        .contains(withAttachment(1001));
    assertThat(engine.countsBySource())
        .containsEntry("gossip.attachment_over_cap", 1L)
        .containsEntry("gossip.stored", 1L);
  }

  @Test
  void checkOwn_attachmentOverCap_refusedWithSizeAndCap() {
    Budgets budgets = new Budgets(100, 1000);
    budgets.checkOwn(withAttachment(1000));
    assertThatThrownBy(() -> budgets.checkOwn(withAttachment(1001)))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("1001")
        .hasMessageContaining("1000");
    // A uint64 size above 2^63 is as large as it gets, not negative.
    assertThat(Budgets.largestAttachmentBytes(withAttachment(-5))).isEqualTo(Long.MAX_VALUE);
    assertThat(budgets.fitsQuota(90, 10)).isTrue();
    assertThat(budgets.fitsQuota(90, 11)).isFalse();
    assertThat(Budgets.UNLIMITED.fitsQuota(Long.MAX_VALUE - 1, Long.MAX_VALUE)).isFalse();
    assertThat(Budgets.UNLIMITED.fitsQuota(1L << 40, 16 * 1024)).isTrue();
    assertThatThrownBy(() -> new Budgets(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
