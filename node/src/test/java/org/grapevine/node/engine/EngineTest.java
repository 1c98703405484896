package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingestion pipeline against a real RocksDB store. */
class EngineTest {
  @TempDir Path dir;
  private RocksPostStore store;
  private Engine engine;
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private LogWriter log;

  @BeforeEach
  void open() {
    store = RocksPostStore.open(dir.resolve("store"));
    engine = new Engine(store, new EntryValidator(), new ChainChecker(), 4, 8);
    assertThat(ingest(alice.delegate(laptop, T0_MILLIS))).isInstanceOf(IngestOutcome.Stored.class);
    log = alice.deviceLog(laptop);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private IngestOutcome ingest(LogEntry e) {
    return engine.ingest(e.toEnvelopeBytes(), T0_MILLIS + 60_000);
  }

  @Test
  void ingest_outOfOrder_buffersThenAppliesInOrderWhenTheGapCloses() {
    List<LogEntry> chain = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      chain.add(log.append(post("p" + i), T0_MILLIS + i));
    }
    assertThat(ingest(chain.get(2)))
        .isEqualTo(new IngestOutcome.Buffered(laptop.publicKey(), 1, 2));
    assertThat(ingest(chain.get(1)))
        .isEqualTo(new IngestOutcome.Buffered(laptop.publicKey(), 1, 1));
    assertThat(store.contiguousHead(laptop.publicKey())).isZero();
    IngestOutcome first = ingest(chain.get(0));
    assertThat(first).isInstanceOf(IngestOutcome.Stored.class);
    assertThat(((IngestOutcome.Stored) first).unblocked())
        .extracting(LogEntry::id)
        .containsExactly(chain.get(1).id(), chain.get(2).id());
    assertThat(store.contiguousHead(laptop.publicKey())).isEqualTo(3);
    assertThat(engine.buffered()).isZero();
    assertThat(engine.counts())
        .containsEntry(Engine.Counter.STORED, 4L)
        .containsEntry(Engine.Counter.BUFFERED, 2L);
  }

  @Test
  void ingest_duplicateAndFork_countedAndForkKeptAsEvidence() {
    LogEntry one = log.append(post("real"), T0_MILLIS);
    ingest(one);
    assertThat(ingest(one)).isInstanceOf(IngestOutcome.Duplicate.class);
    LogEntry other = alice.deviceLog(laptop).append(post("other history"), T0_MILLIS);
    assertThat(ingest(other)).isInstanceOf(IngestOutcome.Forked.class);
    assertThat(store.forks(alice.identity)).hasSize(1);
    assertThat(store.logEntry(laptop.publicKey(), 1).orElseThrow().id()).isEqualTo(one.id());
  }

  @Test
  void ingest_delete_dropsContentOfOwnEntryOnly() {
    LogEntry doomed = log.append(post("regret"), T0_MILLIS);
    ingest(doomed);
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey bobPhone = bob.deviceKey("phone");
    ingest(bob.delegate(bobPhone, T0_MILLIS));
    LogWriter bobLog = bob.deviceLog(bobPhone);
    LogEntry bobs = bobLog.append(post("bob's"), T0_MILLIS);
    ingest(bobs);
    // Alice deletes her post and tries to delete Bob's: only hers loses its content.
    ingest(log.append(delete(doomed), T0_MILLIS));
    ingest(log.append(delete(bobs), T0_MILLIS));
    assertThat(store.entryById(doomed.id()).orElseThrow().hasContent()).isFalse();
    assertThat(store.entryById(bobs.id()).orElseThrow().hasContent()).isTrue();
  }

  @Test
  void ingest_badInput_rejectedWithReasonAndNothingStored() {
    IngestOutcome garbage = engine.ingest(new byte[] {1, 2, 3}, T0_MILLIS);
    assertThat(garbage)
        .isInstanceOfSatisfying(
            IngestOutcome.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED_ENVELOPE));
    SigningKey stranger = alice.deviceKey("stolen, never delegated");
    IngestOutcome undelegated = ingest(alice.deviceLog(stranger).append(post("hi"), T0_MILLIS));
    assertThat(undelegated)
        .isInstanceOfSatisfying(
            IngestOutcome.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.UNDELEGATED_DEVICE));
    assertThat(store.contiguousHead(stranger.publicKey())).isZero();
    assertThat(engine.rejects())
        .containsEntry(RejectReason.MALFORMED_ENVELOPE, 1L)
        .containsEntry(RejectReason.UNDELEGATED_DEVICE, 1L);
    // Gossip: a malformed entry costs the sender; an undelegated device may be our stale root log.
    assertThat(org.grapevine.node.core.Verdicts.acceptance(garbage)).isEqualTo(Acceptance.REJECT);
    assertThat(org.grapevine.node.core.Verdicts.acceptance(undelegated))
        .isEqualTo(Acceptance.IGNORE);
  }

  @Test
  void ingest_mutedIdentity_ignored_gapBufferBounded() {
    List<LogEntry> chain = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      chain.add(log.append(post("p" + i), T0_MILLIS + i));
    }
    // Entries 2..7 arrive before 1: the buffer keeps 4 per author, the rest is ignored (sync
    // refetches).
    List<IngestOutcome> outcomes = new ArrayList<>();
    for (int i = 1; i < 7; i++) {
      outcomes.add(ingest(chain.get(i)));
    }
    assertThat(outcomes).filteredOn(o -> o instanceof IngestOutcome.Buffered).hasSize(4);
    assertThat(outcomes).filteredOn(o -> o instanceof IngestOutcome.Ignored).hasSize(2);
    store.mute(alice.identity);
    assertThat(ingest(chain.get(0))).isInstanceOf(IngestOutcome.Ignored.class);
    store.unmute(alice.identity);
    IngestOutcome first = ingest(chain.get(0));
    assertThat(((IngestOutcome.Stored) first).unblocked()).hasSize(4);
    assertThat(store.contiguousHead(laptop.publicKey())).isEqualTo(5);
  }

  @Test
  void ingest_blockedIdentity_ignoredNotStoredAndCounted_ownEntriesStillStored() {
    LogEntry first = log.append(post("p1"), T0_MILLIS + 1);
    store.block(alice.identity);

    IngestOutcome o = ingest(first);

    assertThat(o).isInstanceOf(IngestOutcome.Ignored.class);
    assertThat(((IngestOutcome.Ignored) o).why()).contains("blocked");
    assertThat(store.entryById(first.id())).isEmpty();
    assertThat(engine.counts()).containsEntry(Engine.Counter.IGNORED_BLOCKED, 1L);
    assertThat(engine.counts()).doesNotContainKey(Engine.Counter.IGNORED_MUTED);
    // Blocking is about others: an identity's own entries are never refused by it.
    assertThat(engine.ingest(first, true, T0_MILLIS)).isInstanceOf(IngestOutcome.Stored.class);

    store.unblock(alice.identity);
    LogEntry second = log.append(post("p2"), T0_MILLIS + 2);
    assertThat(ingest(second)).isInstanceOf(IngestOutcome.Stored.class);
  }

  @Test
  void ingest_ownEntry_storedDurably() {
    LogEntry mine = log.append(post("mine"), T0_MILLIS);
    assertThat(engine.ingest(mine, true, T0_MILLIS)).isInstanceOf(IngestOutcome.Stored.class);
    store.close();
    store = RocksPostStore.open(dir.resolve("store"));
    assertThat(store.logEntry(laptop.publicKey(), 1).orElseThrow().content())
        .contains(post("mine"));
  }

  @Test
  void ingest_deleteWithProcessDyingAfterEachWrite_neverHalfApplied() {
    LogEntry doomed = log.append(post("regret"), T0_MILLIS);
    ingest(doomed);
    LogEntry deletion = log.append(delete(doomed), T0_MILLIS);
    // The store dies (as the process would, by kill -9) at the first write after the delete's own:
    // whatever is on disk then must be all of the delete or none of it.
    PostStore dying =
        (PostStore)
            java.lang.reflect.Proxy.newProxyInstance(
                PostStore.class.getClassLoader(),
                new Class<?>[] {PostStore.class},
                new java.lang.reflect.InvocationHandler() {
                  boolean applied;

                  @Override
                  public Object invoke(Object proxy, java.lang.reflect.Method m, Object[] args)
                      throws Throwable {
                    boolean write =
                        m.getName().equals("apply")
                            || m.getName().equals("deleteContent")
                            || m.getName().equals("recordFork");
                    if (write && applied) {
                      throw new IllegalStateException("process killed");
                    }
                    try {
                      return m.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    } finally {
                      applied |= write;
                    }
                  }
                });
    Engine dyingEngine = new Engine(dying, new EntryValidator(), new ChainChecker(), 4, 8);
    try {
      dyingEngine.ingest(deletion, IngestSource.OWN, T0_MILLIS);
    } catch (IllegalStateException killed) {
      // The crash; what counts is what a restart finds.
    }
    store.close();
    store = RocksPostStore.open(dir.resolve("store"));
    boolean deleteHeld = store.entryById(deletion.id()).isPresent();
    assertThat(store.entryById(doomed.id()).orElseThrow().hasContent())
        .as("delete held: " + deleteHeld)
        .isEqualTo(!deleteHeld);
  }

  private static Content delete(LogEntry target) {
    return Content.newBuilder()
        .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
        .build();
  }
}
