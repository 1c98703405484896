package org.grapevine.node.storage;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The identities that may hold a delete whose target this store does not hold: only their entries
 * need the tombstone read when they are applied ({@link Keys#tombstone}). That read, a miss for
 * almost every entry, cost about 1% of ingestion ({@code IngestionHarness}); most identities never
 * delete an entry before it arrives.
 *
 * <p>Conservative: an identity is added when one of its deletes is applied without its target, or
 * when a revocation purges its entries (a purged entry may be a target), and leaves only when the
 * set is computed again from the tombstone rows (at open and after a rebuild). A stale member costs
 * a read, never a wrong answer.
 */
final class AwaitedTargets {
  private final Set<Identity> identities = ConcurrentHashMap.newKeySet();

  /** Whether an entry of {@code identity} may be the target of a held delete. */
  boolean mayBeAwaited(Identity identity) {
    return identities.contains(identity);
  }

  void add(Identity identity) {
    identities.add(identity);
  }

  /**
   * Recomputes the set from the tombstone rows: an identity whose tombstone names a target that
   * {@code held} says is not held. One scan of the tombstones and one read per tombstone.
   */
  void recompute(RocksDB db, ColumnFamilies f, Predicate<EntryId> held) {
    identities.clear();
    byte[] prefix = Keys.prefixOnly(KeyPrefix.TOMBSTONE);
    try (RocksIterator it = db.newIterator(f.indexes())) {
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix);
          it.next()) {
        byte[] k = it.key();
        EntryId target = EntryId.of(Arrays.copyOfRange(k, 1, 1 + Keys.ID_BYTES));
        if (!held.test(target)) {
          identities.add(Identity.of(Arrays.copyOfRange(k, 1 + Keys.ID_BYTES, k.length)));
        }
      }
    }
  }
}
