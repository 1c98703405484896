package org.grapevine.node.storage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * The child JVM of {@link UnloggedWritesCrashIT}: opens the store in the directory given as the
 * first argument as the node of {@link #OWN} does, and writes until it is killed: round robin, one
 * entry of {@link #OTHERS} each (without the WAL) and one own entry (synced). Prints {@code applied
 * <name> <seq>} after each write of another identity's entry, {@code acked <seq> <id>} after each
 * own one, and {@code persisted <name> <seq>...} after each {@link RocksPostStore#persistUnlogged}
 * (every {@link #PERSIST_EVERY} entries of others). A restart continues every log from its held
 * head: the entries are the same on every run (same keys, texts and times).
 */
public final class UnloggedWritesChild {
  static final String OWN = "unlogged-own";
  static final List<String> OTHERS = List.of("unlogged-bob", "unlogged-carol");
  static final int PERSIST_EVERY = 150;

  private UnloggedWritesChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
    System.setOut(System.err); // Only these lines go to stdout.
    StoreTesting.Author own = new StoreTesting.Author(OWN);
    List<StoreTesting.Author> others = OTHERS.stream().map(StoreTesting.Author::new).toList();
    try (RocksPostStore store =
        RocksPostStore.open(Path.of(args[0]), StoreConfig.DEFAULT, own.identity())) {
      for (StoreTesting.Author a : others) {
        start(store, a, false);
      }
      start(store, own, true);
      out.println("started");
      out.flush();
      for (long i = 1; ; i++) {
        for (int k = 0; k < others.size(); k++) {
          LogEntry e = next(others.get(k));
          store.apply(e, false);
          out.println("applied " + OTHERS.get(k) + " " + e.header().seq());
        }
        LogEntry mine = next(own);
        store.apply(mine, true);
        out.println("acked " + mine.header().seq() + " " + mine.id());
        if (i % PERSIST_EVERY == 0) {
          store.persistUnlogged();
          StringBuilder line = new StringBuilder("persisted");
          for (int k = 0; k < others.size(); k++) {
            line.append(' ').append(OTHERS.get(k)).append(' ');
            line.append(store.contiguousHead(others.get(k).deviceKey.publicKey()));
          }
          out.println(line);
        }
        out.flush();
      }
    }
  }

  /** Applies the author's delegation if not held, and moves its writer past the held entries. */
  private static void start(RocksPostStore store, StoreTesting.Author a, boolean durable) {
    if (store.contiguousHead(a.delegation.header().author()) == 0) {
      store.apply(a.delegation, durable);
    }
    AuthorKey device = a.deviceKey.publicKey();
    for (long seq = store.contiguousHead(device); a.device.head().seq() < seq; ) {
      next(a);
    }
  }

  private static LogEntry next(StoreTesting.Author a) {
    long seq = a.device.head().seq() + 1;
    return a.post("post " + seq + " " + "x".repeat((int) (seq % 300)), TestAuthors.T0_MILLIS + seq);
  }
}
