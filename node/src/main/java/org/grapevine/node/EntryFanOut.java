package org.grapevine.node;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.metrics.Counter;
import org.grapevine.node.metrics.MetricsRegistry;
import org.grapevine.protocol.entry.LogEntry;
import org.slf4j.LoggerFactory;

/**
 * Where every ingestion outcome goes on the storage thread: counted in the node's metrics, and
 * every stored entry (own, gossip, sync) told to the entry listeners (the API's event stream).
 */
final class EntryFanOut {
  private final MetricsRegistry metrics;
  private final Counter ingested;
  private final Counter rejected;
  private final List<Consumer<LogEntry>> listeners = new CopyOnWriteArrayList<>();

  EntryFanOut(MetricsRegistry metrics) {
    this.metrics = metrics;
    ingested =
        metrics.counter(
            "grapevine_ingest_total",
            "Entries ingested, by source (own, gossip, sync, direct) and outcome.",
            "source",
            "outcome");
    rejected =
        metrics.counter(
            "grapevine_ingest_rejected_total",
            "Entries refused, by source and reason.",
            "source",
            "reason");
  }

  /**
   * Exports the engine's own counters, over all sources, as {@code
   * grapevine_engine_total{counter}}: what ingestion did beyond its outcome (content dropped over
   * quota or because a held delete names the entry, content filled, a revoked device's entries
   * purged, ...), so that no drop is silent. Counters at zero are left out.
   */
  void countEngine(Engine engine) {
    metrics.counterFamily(
        "grapevine_engine_total",
        "What ingestion did, over all sources, by the engine's counter (e.g. stored,"
            + " content_dropped_over_quota, content_dropped_deleted, content_filled,"
            + " purged_revoked).",
        "counter",
        () -> {
          Map<String, Long> out = new TreeMap<>();
          engine.counts().forEach((c, n) -> out.put(c.name().toLowerCase(Locale.ROOT), n));
          return out;
        });
  }

  void add(Consumer<LogEntry> listener) {
    listeners.add(listener);
  }

  void remove(Consumer<LogEntry> listener) {
    listeners.remove(listener);
  }

  /** Counts the outcome, then tells the listeners of what was stored, in storage order. */
  void onIngested(IngestSource source, IngestOutcome outcome) {
    String src = source.name().toLowerCase(Locale.ROOT);
    ingested.inc(src, outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT));
    if (outcome instanceof IngestOutcome.Rejected r) {
      rejected.inc(src, r.reason().name().toLowerCase(Locale.ROOT));
    } else if (outcome instanceof IngestOutcome.Stored stored) {
      tell(stored.entry());
      stored.unblocked().forEach(this::tell);
    } else if (outcome instanceof IngestOutcome.ContentFilled filled) {
      tell(filled.entry()); // Its content arrived: listeners see the entry again, with it.
    }
  }

  private void tell(LogEntry e) {
    for (Consumer<LogEntry> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException bug) {
        LoggerFactory.getLogger(Node.class).warn("entry listener failed", bug);
      }
    }
  }
}
