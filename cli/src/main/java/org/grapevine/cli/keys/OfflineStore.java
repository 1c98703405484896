package org.grapevine.cli.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreLockedException;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * The store of a data directory whose node is stopped: for the root-log commands (device add,
 * revoke, import; the local API has no endpoint that signs with the root key, and the root key need
 * not stay on a running node) and for store maintenance. Entries go through the same {@link Engine}
 * checks as the node's own; the node serves them to followers by catch-up sync once it runs again.
 */
public final class OfflineStore implements AutoCloseable {
  /** What the root-log commands say when the node runs. */
  static final String ROOT_LOG_PURPOSE =
      "this command writes the identity's root log with the root key, which the API does not do";

  private final DataDir dir;
  private final RocksPostStore store;
  private final Engine engine;

  private OfflineStore(DataDir dir, RocksPostStore store) {
    this.dir = dir;
    this.store = store;
    this.engine = new Engine(store, new EntryValidator(), new ChainChecker(), 16, 64);
  }

  static OfflineStore open(DataDir dir) throws CliException {
    return open(dir, ROOT_LOG_PURPOSE, false);
  }

  /**
   * Opens the store; refuses while a node answers for {@code dir} or holds the store's lock
   * (RocksDB allows one process).
   *
   * @param purpose why the node must be stopped, for the message
   * @param create whether a missing store is created (else: run the node once first)
   */
  public static OfflineStore open(DataDir dir, String purpose, boolean create) throws CliException {
    boolean running;
    try {
      ApiClient.open(dir).get("/v1/identity");
      running = true;
    } catch (CliException notAnswering) {
      running = false; // Or not this directory's node: the store's lock decides below.
    }
    if (running) {
      throw new CliException(
          "the node of "
              + dir.path()
              + " is running; stop it first (Ctrl-C where it runs): "
              + purpose);
    }
    Path path = dir.path().resolve("store");
    if (!create && !Files.isDirectory(path)) {
      throw new CliException(
          "no store in "
              + dir.path()
              + " yet; run the node once (grapevine run"
              + InitCommand.flag(dir)
              + ") so that it writes the identity's root log");
    }
    try {
      return new OfflineStore(dir, RocksPostStore.open(path));
    } catch (StoreLockedException e) {
      throw new CliException(
          "the store in "
              + path
              + " is in use by a running node (its lock is held); stop that node first (Ctrl-C where it runs): "
              + purpose);
    } catch (IllegalStateException e) {
      throw new CliException("cannot open the store in " + path + ": " + e.getMessage());
    }
  }

  public RocksPostStore store() {
    return store;
  }

  /**
   * Signs {@code content} as the next entry of the root log of {@code root}'s identity, without
   * storing it ({@link #put}). A root log is started here only if this directory created the
   * identity: one that joined it must hold its root log first, or it would fork it.
   */
  LogEntry signRoot(SigningKey root, Content content) throws CliException {
    long seq = store.contiguousHead(root.publicKey());
    if (seq == 0) {
      try {
        if (!dir.identityRecord().map(DataDir.IdentityRecord::createdHere).orElse(true)) {
          throw new CliException(
              dir.path()
                  + " does not hold the root log of "
                  + Identity.of(root.publicKey())
                  + " yet (it joined the identity); run the node until it has synced the root log from a peer, stop it, and try again");
        }
      } catch (IOException e) {
        throw new CliException(e.getMessage());
      }
    }
    LogHead head =
        seq == 0 ? LogHead.EMPTY : LogHead.of(store.entry(root.publicKey(), seq).orElseThrow());
    try {
      return LogWriter.rootLog(root, head).append(content, System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      throw new CliException("refused: " + e.getMessage());
    }
  }

  /** Stores an entry signed by {@link #signRoot}, durably. */
  void put(LogEntry entry) throws CliException {
    IngestOutcome outcome = engine.ingest(entry, IngestSource.OWN, System.currentTimeMillis());
    if (!(outcome instanceof IngestOutcome.Stored)) {
      throw new CliException("the store refused the root-log entry: " + outcome);
    }
  }

  /** Appends {@code content} to the root log of {@code root}'s identity, durably. */
  LogEntry appendRoot(SigningKey root, Content content) throws CliException {
    LogEntry entry = signRoot(root, content);
    put(entry);
    return entry;
  }

  /** Ingests a root-log entry from elsewhere (a device bundle), checked as any received entry. */
  IngestOutcome ingest(LogEntry entry) {
    return engine.ingest(entry, IngestSource.SYNC, System.currentTimeMillis());
  }

  /** The identity's root log as held, in seq order, each with its content. */
  List<LogEntry> rootLog(Identity identity) {
    List<LogEntry> out = new ArrayList<>();
    long head = store.contiguousHead(identity.root());
    for (long seq = 1; seq <= head; seq++) {
      out.add(store.logEntry(identity.root(), seq).orElseThrow());
    }
    return out;
  }

  @Override
  public void close() {
    store.close();
  }
}
