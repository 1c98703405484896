package org.grapevine.node;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * The child JVM of {@link SearchCrashIT}: the node's ingestion path with the search index on (the
 * engine over a store opened as a node opens it, the index as its store observer) receiving {@link
 * DeletionCrashChild#script}s one after another: posts, deletes before and after their targets, a
 * revocation purge, a late content fill. Prints {@code started <person> <rebuilt reason or ->},
 * then {@code acked <person> <index>} after each ingest. Arguments: the data directory, and {@code
 * kill} (runs until killed) or {@code clean <n>} (closes index and store cleanly after n acks).
 */
public final class SearchCrashChild {
  private SearchCrashChild() {}

  private static boolean complete(RocksPostStore store, int k) {
    LogEntry last = DeletionCrashChild.script(k).get(DeletionCrashChild.BARE + 1);
    return store.entryById(last.id()).map(LogEntry::hasContent).orElse(false);
  }

  public static void main(String[] args) throws Exception {
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
    System.setOut(System.err); // Nothing else may interleave with the acks.
    Path data = Path.of(args[0]);
    int cleanAfter = args[1].equals("clean") ? Integer.parseInt(args[2]) : -1;
    RocksPostStore store =
        RocksPostStore.open(
            data.resolve("store"), StoreConfig.DEFAULT, DeletionCrashChild.OWN.identity);
    SearchIndex index = SearchIndex.open(SearchIndex.directoryIn(data), store, false);
    Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 64, 1024);
    engine.setStoreObserver(index);
    int k = 0;
    while (complete(store, k)) {
      k++;
    }
    out.println("started " + k + " " + index.rebuiltBecause().orElse("-").replace(' ', '_'));
    out.flush();
    int acks = 0;
    for (; ; k++) {
      List<LogEntry> script = DeletionCrashChild.script(k);
      for (int i = 0; i < script.size(); i++) {
        engine.ingest(script.get(i).toEnvelopeBytes(), DeletionCrashChild.NOW);
        if (++acks % DeletionCrashChild.PERSIST_EVERY == 0) {
          store.persistUnlogged();
        }
        out.println("acked " + k + " " + i);
        out.flush();
        if (acks == cleanAfter) {
          index.close(); // As Node.close: the index after the last write, before the store.
          store.close();
          out.println("closed");
          out.flush();
          return;
        }
      }
    }
  }
}
