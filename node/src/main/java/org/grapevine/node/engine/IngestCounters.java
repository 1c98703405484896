package org.grapevine.node.engine;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.grapevine.protocol.validation.RejectReason;

/**
 * Ingestion outcomes counted per source and per kind, and rejections per source and reason. Written
 * by the engine's one thread; read from any thread (the metrics exporter, the API), which is why
 * the cells are atomic rather than the engine's plain maps.
 */
// Lock-free arrays indexed by ordinals (outcomes: one per source, by counter; rejections: one, by
// (source, reason)): the ordinals live only in memory for the life of the process, never on disk
// or the wire.
@SuppressWarnings("EnumOrdinal")
final class IngestCounters {
  private static final int SOURCES = IngestSource.values().length;
  private static final int COUNTERS = Engine.Counter.values().length;
  private static final int REASONS = RejectReason.values().length;

  /**
   * Per source, its counters, made at its first count (by the one writer): a node sees two or three
   * of the five sources, and a simulation of a million nodes would hold a million full tables (616
   * bytes each). Published through the reference array, so a reader sees a table or, before its
   * first count, none (zeros).
   */
  private final AtomicReferenceArray<AtomicLongArray> outcomes =
      new AtomicReferenceArray<>(SOURCES);

  /**
   * Made at the first rejection (by the one writer; volatile for the readers): most nodes never
   * reject anything, and a simulation of a million nodes would hold a million of these.
   */
  private volatile AtomicLongArray rejects;

  void count(IngestSource source, Engine.Counter counter) {
    of(source).incrementAndGet(counter.ordinal());
  }

  void add(IngestSource source, Engine.Counter counter, long n) {
    if (n != 0) {
      of(source).addAndGet(counter.ordinal(), n);
    }
  }

  private AtomicLongArray of(IngestSource source) {
    AtomicLongArray table = outcomes.get(source.ordinal());
    if (table == null) {
      table = new AtomicLongArray(COUNTERS);
      outcomes.set(source.ordinal(), table);
    }
    return table;
  }

  void reject(IngestSource source, RejectReason reason) {
    count(source, Engine.Counter.REJECTED);
    AtomicLongArray r = rejects;
    if (r == null) {
      r = new AtomicLongArray(SOURCES * REASONS);
      rejects = r;
    }
    r.incrementAndGet(source.ordinal() * REASONS + reason.ordinal());
  }

  /** Sources with a table made (tests: none until their first count). */
  int sourcesCounted() {
    int n = 0;
    for (int i = 0; i < SOURCES; i++) {
      n += outcomes.get(i) == null ? 0 : 1;
    }
    return n;
  }

  long get(IngestSource source, Engine.Counter counter) {
    AtomicLongArray table = outcomes.get(source.ordinal());
    return table == null ? 0 : table.get(counter.ordinal());
  }

  private long rejected(IngestSource source, RejectReason reason) {
    AtomicLongArray r = rejects;
    return r == null ? 0 : r.get(source.ordinal() * REASONS + reason.ordinal());
  }

  /** Totals over all sources; counters at zero are left out. */
  Map<Engine.Counter, Long> totals() {
    Map<Engine.Counter, Long> out = new EnumMap<>(Engine.Counter.class);
    for (Engine.Counter c : Engine.Counter.values()) {
      long sum = 0;
      for (IngestSource s : IngestSource.values()) {
        sum += get(s, c);
      }
      if (sum > 0) {
        out.put(c, sum);
      }
    }
    return out;
  }

  /** Rejections by reason over all sources; reasons at zero are left out. */
  Map<RejectReason, Long> rejectTotals() {
    Map<RejectReason, Long> out = new EnumMap<>(RejectReason.class);
    for (RejectReason r : RejectReason.values()) {
      long sum = 0;
      for (IngestSource s : IngestSource.values()) {
        sum += rejected(s, r);
      }
      if (sum > 0) {
        out.put(r, sum);
      }
    }
    return out;
  }

  /**
   * Every non-zero counter as {@code <source>.<counter>} (for example {@code gossip.stored}) and
   * {@code <source>.rejected.<reason>} (for example {@code sync.rejected.bad_signature}), sorted.
   */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    for (IngestSource s : IngestSource.values()) {
      for (Engine.Counter c : Engine.Counter.values()) {
        long n = get(s, c);
        if (n > 0) {
          out.put(s.key() + "." + c.name().toLowerCase(Locale.ROOT), n);
        }
      }
      for (RejectReason r : RejectReason.values()) {
        long n = rejected(s, r);
        if (n > 0) {
          out.put(s.key() + ".rejected." + r.name().toLowerCase(Locale.ROOT), n);
        }
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }
}
