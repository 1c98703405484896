package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The {@link Dht}'s bootstrap and bucket refresh (its rule 6): it says which lookups to run and
 * when; {@link Queries} runs them. Plain state, not thread-safe; randomness injected.
 *
 * <p>Rules: {@link #bootstrap} starts a self lookup, and again every {@link
 * DhtConfig#refreshIntervalNanos}. When a self lookup ends ({@link #afterSelfLookup}), each bucket
 * up to {@link DhtConfig#maxRefreshCpl} that saw no lookup for half that interval gets a lookup of
 * a random key in it. The random draws happen there, bucket by bucket from the shallowest, and
 * nowhere else: their order is part of a simulated run's result.
 */
final class BucketRefresh {
  /** Random keys tried for one bucket's refresh target: 2^20, against 2^16 expected at cpl 15. */
  private static final int MAX_REFRESH_KEY_TRIES = 1 << 20;

  private final DhtContext ctx;
  private final RandomGenerator random;
  private boolean bootstrapped;
  private long nextRefreshNanos;

  BucketRefresh(DhtContext ctx, RandomGenerator random) {
    this.ctx = ctx;
    this.random = random;
  }

  /** Bootstrap asked for: the self lookup to submit now; another every refresh interval. */
  DhtQuery bootstrap() {
    bootstrapped = true;
    return run();
  }

  /** The self lookup to submit if a refresh run is due, once bootstrapped. */
  List<DhtQuery> handleTimeout() {
    return bootstrapped && ctx.now() >= nextRefreshNanos ? List.of(run()) : List.of();
  }

  /** The earliest of {@code min} and the next run's time, once bootstrapped. */
  long earliestDeadline(long min) {
    return bootstrapped ? Math.min(min, nextRefreshNanos) : min;
  }

  private DhtQuery run() {
    ctx.stats.bootstrapRuns++;
    nextRefreshNanos = ctx.now() + ctx.config.refreshIntervalNanos();
    return new DhtQuery(ctx.newId(), QueryKind.SELF_LOOKUP, ctx.self.toBytes(), 0, null);
  }

  /** After a self lookup: a random-key lookup in each bucket that saw none lately, to submit. */
  List<DhtQuery> afterSelfLookup() {
    DhtConfig config = ctx.config;
    List<DhtQuery> lookups = new ArrayList<>();
    byte[][] bank = new byte[config.maxRefreshCpl() + 1][];
    // Half the interval: the last run's refresh lookups ended a little after that run began, so
    // by the full interval they would not yet count as stale and every other run would skip them.
    for (int cpl : ctx.table.bucketsToRefresh(ctx.now(), config.refreshIntervalNanos() / 2)) {
      if (cpl > config.maxRefreshCpl()) {
        break;
      }
      byte[] key = randomKeyInBucket(cpl, bank);
      if (key == null) {
        ctx.stats.refreshKeysNotFound++;
        continue;
      }
      ctx.stats.refreshLookups++;
      lookups.add(new DhtQuery(ctx.newId(), QueryKind.REFRESH, key, 0, null));
    }
    return lookups;
  }

  /**
   * A FIND_NODE key (a sha2-256 peer ID with a random digest) whose Kademlia key falls in bucket
   * {@code cpl}: the key is hashed, so only trying finds one (about 2^(cpl+1) tries, as go does
   * with a precomputed table). Keys tried on the way that fall in other buckets are kept in {@code
   * bank} for them: the search for the deepest bucket pays for most of the others.
   */
  private byte[] randomKeyInBucket(int cpl, byte[][] bank) {
    if (bank[cpl] != null) {
      return bank[cpl];
    }
    for (int i = 0; i < MAX_REFRESH_KEY_TRIES; i++) {
      byte[] mh = new byte[34];
      random.nextBytes(mh);
      mh[0] = 0x12;
      mh[1] = 32;
      int c = ctx.table.selfKey().commonPrefixLength(KadKey.of(mh));
      if (c == cpl) {
        return mh;
      }
      if (c < bank.length && bank[c] == null) {
        bank[c] = mh;
      }
    }
    return null;
  }
}
