package org.grapevine.libp2p.kad;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The value records a DHT server holds for GET_VALUE (kad-dht/README.md "Value routing"): one
 * record per key, at most {@code maxRecords}, each kept {@code validityMillis} after it was last
 * put (go drops records older than 36 h, MaxRecordAge; their owners re-put them). Stores what it is
 * given: the caller validates first ({@link PkRecords}). In memory; not thread-safe.
 *
 * <p>A full store refuses new keys and keeps the records it has, for the reason {@link
 * ProviderStore} gives: evicting would let anyone with many keys flush the honest ones.
 */
public final class RecordStore {
  /** What {@link #put} did. */
  public enum PutStatus {
    ADDED,
    /** The key had a record: replaced (for {@code /pk/}, by the same value), its age reset. */
    REFRESHED,
    /** Refused: the store holds {@code maxRecords} records and this is a new key. */
    FULL,
  }

  private record Stored(KadRecord record, long putMillis) {}

  private final int maxRecords;
  private final long validityMillis;

  /** Put order, which is expiry order: a re-put moves a record to the back. */
  private final Map<ByteBuffer, Stored> byKey = new LinkedHashMap<>();

  private long refused;
  private long expired;

  public RecordStore(int maxRecords, long validityMillis) {
    if (maxRecords < 1 || validityMillis <= 0) {
      throw new IllegalArgumentException("record store limits must be positive");
    }
    this.maxRecords = maxRecords;
    this.validityMillis = validityMillis;
  }

  public PutStatus put(KadRecord record, long nowMillis) {
    expire(nowMillis);
    ByteBuffer k = ByteBuffer.wrap(record.key());
    if (byKey.remove(k) != null) {
      byKey.put(k, new Stored(record, nowMillis));
      return PutStatus.REFRESHED;
    }
    if (byKey.size() >= maxRecords) {
      refused++;
      return PutStatus.FULL;
    }
    byKey.put(k, new Stored(record, nowMillis));
    return PutStatus.ADDED;
  }

  /** The unexpired record of {@code key}. */
  public Optional<KadRecord> get(byte[] key, long nowMillis) {
    Stored s = byKey.get(ByteBuffer.wrap(key.clone()));
    if (s == null || nowMillis - s.putMillis() >= validityMillis) {
      return Optional.empty();
    }
    return Optional.of(s.record());
  }

  /**
   * Drops the expired records.
   *
   * @return how many
   */
  public int expire(long nowMillis) {
    int n = 0;
    for (Iterator<Stored> it = byKey.values().iterator(); it.hasNext(); ) {
      if (nowMillis - it.next().putMillis() < validityMillis) {
        break;
      }
      it.remove();
      n++;
    }
    expired += n;
    return n;
  }

  public int size() {
    return byKey.size();
  }

  /** Puts refused because the store was full. */
  public long refused() {
    return refused;
  }

  public long expired() {
    return expired;
  }
}
