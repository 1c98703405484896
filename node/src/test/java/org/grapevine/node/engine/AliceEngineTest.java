package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine tests against a real RocksDB store share: Alice, her laptop's log, and an engine
 * over a store in a temporary directory that already holds her laptop's delegation.
 */
abstract class AliceEngineTest {
  static final long NOW = T0_MILLIS + 60_000;
  @TempDir Path dir;
  RocksPostStore store;
  final TestAuthors.Person alice = TestAuthors.person("alice");
  final SigningKey laptop = alice.deviceKey("laptop");
  final LogWriter log = alice.deviceLog(laptop);
  final LogEntry delegation = alice.delegate(laptop, T0_MILLIS);

  /** Opens the store and an engine with {@code budgets}; the delegation is stored. */
  Engine engine(Budgets budgets) {
    store = RocksPostStore.open(dir.resolve("store"));
    Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 4, 8, budgets);
    assertThat(engine.ingest(delegation.toEnvelopeBytes(), NOW))
        .isInstanceOf(IngestOutcome.Stored.class);
    return engine;
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }
}
