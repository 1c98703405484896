package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.grapevine.collect.Fifo;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.protocol.entry.LogEntry;

/** The node core's three output queues, filled by its parts and drained by the driver. */
final class CoreOutputs {
  // Drained after every input, so empty nearly always (see Fifo).
  final Fifo<SyncBytes> outbound = new Fifo<>();
  final Fifo<CoreCommand> commands = new Fifo<>();
  final Fifo<CoreEvent> events = new Fifo<>();

  /** Told of every {@link CoreEvent.Stored} as it is queued (the core's wanted originals). */
  private Consumer<CoreEvent.Stored> onStored = s -> {};

  /** Replaces the one hook told of every stored outcome ({@link #stored}); set once by the core. */
  void onStored(Consumer<CoreEvent.Stored> hook) {
    this.onStored = hook;
  }

  /** A {@link CoreEvent.Stored} for an outcome that stored something. */
  void stored(IngestOutcome outcome, IngestSource source, PeerId from) {
    if (outcome instanceof IngestOutcome.Stored s) {
      List<LogEntry> entries = new ArrayList<>(1 + s.unblocked().size());
      entries.add(s.entry());
      entries.addAll(s.unblocked());
      CoreEvent.Stored stored = new CoreEvent.Stored(entries, source, from);
      events.add(stored);
      onStored.accept(stored);
    }
  }
}
