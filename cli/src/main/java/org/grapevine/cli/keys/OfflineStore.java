package org.grapevine.cli.keys;

import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * The store of a data directory whose node is stopped, for the root-log commands (device add and
 * revoke): the local API has no endpoint that signs with the root key, and the root key need not
 * stay on a running node. Entries go through the same {@link Engine} checks as the node's own; the
 * node serves them to followers by catch-up sync once it runs again.
 */
final class OfflineStore implements AutoCloseable {
  private final RocksPostStore store;
  private final Engine engine;

  private OfflineStore(RocksPostStore store) {
    this.store = store;
    this.engine = new Engine(store, new EntryValidator(), new ChainChecker(), 16, 64);
  }

  /** Opens the store; refuses while a node answers for {@code dir} (RocksDB allows one process). */
  static OfflineStore open(DataDir dir) throws CliException {
    boolean running;
    try {
      ApiClient.open(dir).get("/v1/identity");
      running = true;
    } catch (CliException notAnswering) {
      running = false; // Or not this directory's node: the store's lock decides below.
    }
    if (running) {
      throw new CliException("the node of " + dir.path() + " is running; stop it first (Ctrl-C where it runs): "
          + "this command writes the identity's root log with the root key, which the API does not do");
    }
    java.nio.file.Path path = dir.path().resolve("store");
    if (!java.nio.file.Files.isDirectory(path)) {
      throw new CliException("no store in " + dir.path() + " yet; run the node once (grapevine run" + InitCommand.flag(dir)
          + ") so that it writes the identity's root log");
    }
    try {
      return new OfflineStore(RocksPostStore.open(path));
    } catch (IllegalStateException e) {
      throw new CliException("cannot open the store in " + path + " (is a node running there?): " + e.getMessage());
    }
  }

  RocksPostStore store() {
    return store;
  }

  /** Appends {@code content} to the root log of {@code root}'s identity, durably. */
  LogEntry appendRoot(SigningKey root, Content content) throws CliException {
    long seq = store.contiguousHead(root.publicKey());
    LogHead head = seq == 0 ? LogHead.EMPTY : LogHead.of(store.entry(root.publicKey(), seq).orElseThrow());
    LogEntry entry;
    try {
      entry = LogWriter.rootLog(root, head).append(content, System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      throw new CliException("refused: " + e.getMessage());
    }
    IngestOutcome outcome = engine.ingest(entry, true, System.currentTimeMillis());
    if (!(outcome instanceof IngestOutcome.Stored)) {
      throw new CliException("the store refused the root-log entry: " + outcome);
    }
    return entry;
  }

  @Override
  public void close() {
    store.close();
  }
}
