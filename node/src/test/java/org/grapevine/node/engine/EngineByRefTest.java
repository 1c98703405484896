package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestAuthors.Person;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Engine#ingestByRef} against a real RocksDB store: entries a sync session fetched by
 * reference (sync.proto step 5a) are verified as Addressed messages and kept loose unless their
 * chain is held, without the addressee checks and limits of addressed entries.
 */
class EngineByRefTest {
  private static final long NOW = T0_MILLIS + 60_000;

  @TempDir Path dir;
  private RocksPostStore store;
  private Engine engine;

  private final Person alice = TestAuthors.person("alice");
  private final SigningKey phone = alice.deviceKey("phone");
  private final LogEntry delegation = alice.delegate(phone, T0_MILLIS);
  private final LogWriter log = alice.deviceLog(phone);

  @BeforeEach
  void open() {
    store = RocksPostStore.open(dir.resolve("store"));
    engine =
        new Engine(
            store,
            new EntryValidator(),
            new ChainChecker(),
            4,
            8,
            // A writer limit of 1 addressed entry: fetched entries do not count against it.
            new Budgets(
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                new LooseLimits.Config(1, 1 << 20, 1, 60_000, 100)));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private LogEntry post(int i) {
    return log.append(TestAuthors.post("alice " + i), T0_MILLIS + i);
  }

  @Test
  void postsOfAStranger_storedLoose_overTheAddressedLimits_thenDuplicates() {
    LogEntry one = post(1);
    LogEntry two = post(2);
    LogEntry three = post(3);
    for (LogEntry e : new LogEntry[] {three, one, two}) {
      assertThat(engine.ingestByRef(AddressedCodec.encode(e, delegation), NOW))
          .isInstanceOf(IngestOutcome.Stored.class);
    }
    assertThat(engine.ingestByRef(AddressedCodec.encode(one, delegation), NOW))
        .isInstanceOf(IngestOutcome.Duplicate.class);
    assertThat(store.entryById(two.id()).orElseThrow().content()).isEqualTo(two.content());
    assertThat(store.contiguousHead(phone.publicKey())).as("not chained").isZero();
    assertThat(engine.countsBySource())
        .containsEntry("by_ref.stored_loose", 3L)
        .containsEntry("by_ref.duplicate", 1L);
  }

  @Test
  void nextEntryOfAHeldChain_chained() {
    store.apply(delegation);
    store.apply(post(1));
    LogEntry two = post(2);
    assertThat(engine.ingestByRef(AddressedCodec.encode(two, delegation), NOW))
        .isInstanceOf(IngestOutcome.Stored.class);
    assertThat(store.contiguousHead(phone.publicKey())).isEqualTo(2);
    assertThat(engine.countsBySource()).containsEntry("by_ref.stored", 1L);
  }

  @Test
  void delegationOfAnotherDevice_rejectedAsThePeersFault() {
    LogEntry other = alice.delegate(alice.deviceKey("laptop"), T0_MILLIS);
    IngestOutcome o = engine.ingestByRef(AddressedCodec.encode(post(1), other), NOW);
    assertThat(o).isInstanceOf(IngestOutcome.Rejected.class);
    RejectReason reason = ((IngestOutcome.Rejected) o).reason();
    assertThat(reason).isEqualTo(RejectReason.BAD_DELEGATION_PROOF);
    assertThat(reason.senderAtFault()).isTrue();
    assertThat(engine.countsBySource()).containsEntry("by_ref.rejected.bad_delegation_proof", 1L);
  }

  @Test
  void blockedWriter_ignored_notStored() {
    store.block(alice.identity);
    LogEntry one = post(1);
    assertThat(engine.ingestByRef(AddressedCodec.encode(one, delegation), NOW))
        .isInstanceOf(IngestOutcome.Ignored.class);
    assertThat(store.entryById(one.id())).isEmpty();
    assertThat(engine.countsBySource()).containsEntry("by_ref.ignored_blocked", 1L);
  }
}
