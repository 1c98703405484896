package org.grapevine.cli.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.concurrent.Callable;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.keys.OfflineStore;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.LogQueries;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.storage.RocksPostStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code grapevine store ...}: maintenance of a data directory's store, with its node stopped. */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description =
        "Maintenance of the store (RocksDB) of a data directory; the node must be stopped.",
    subcommands = StoreCommand.RebuildIndexes.class)
public final class StoreCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "rebuild-indexes",
      mixinStandardHelpOptions = true,
      description = {
        "Recompute every derived record (log heads, device states, timeline, reply and reaction",
        "indexes, bytes per identity) from the stored entries and content, and the search index",
        "(search/ of the data directory) from those. For a store whose indexes were damaged or",
        "written by a buggy version; entries and content are only read. The node must be stopped."
      })
  static final class RebuildIndexes implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Override
    public Integer call() throws CliException {
      try (OfflineStore s =
          OfflineStore.open(
              options.dataDir(),
              "the rebuild rewrites the indexes the running node reads and writes",
              false)) {
        RocksPostStore store = s.store();
        long started = System.nanoTime();
        store.rebuildIndexes();
        long searchDocuments;
        // Rebuilt whether or not config.toml turns search on: a node that turns it on later
        // finds it marked stale anyway (it was off meanwhile) and rebuilds again.
        try (SearchIndex search =
            SearchIndex.open(SearchIndex.directoryIn(options.dataDir().path()), store, true)) {
          searchDocuments = search.documents();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long entries = LogQueries.entriesStored(store);
        int identities = store.identities().size();
        if (options.json()) {
          System.out.println(
              JsonNodeFactory.instance
                  .objectNode()
                  .put("store", store.directory().toString())
                  .put("entries", entries)
                  .put("identities", identities)
                  .put("search_documents", searchDocuments)
                  .put("millis", millis));
        } else {
          System.out.println(
              "rebuilt the indexes of "
                  + store.directory()
                  + " from "
                  + entries
                  + " entries of "
                  + identities
                  + " identities in "
                  + millis
                  + " ms, and the search index ("
                  + searchDocuments
                  + " posts and profiles)");
        }
      }
      return 0;
    }
  }
}
