package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.grapevine.protocol.validation.RejectReason;
import org.junit.jupiter.api.Test;

/** Counters per source: a table for a source only once it counts, totals and snapshot as before. */
class IngestCountersTest {
  @Test
  void sourcesGetTablesAtTheirFirstCount_andTotalsSumOverSources() {
    IngestCounters c = new IngestCounters();
    assertThat(c.sourcesCounted()).isZero();
    assertThat(c.get(IngestSource.GOSSIP, Engine.Counter.STORED)).isZero();
    assertThat(c.totals()).isEmpty();

    c.count(IngestSource.GOSSIP, Engine.Counter.STORED);
    c.count(IngestSource.GOSSIP, Engine.Counter.STORED);
    c.add(IngestSource.SYNC, Engine.Counter.STORED, 5);
    c.add(IngestSource.OWN, Engine.Counter.DUPLICATE, 0); // nothing added: no table
    c.reject(IngestSource.SYNC, RejectReason.MALFORMED_ENVELOPE);
    assertThat(c.sourcesCounted()).isEqualTo(2);
    assertThat(c.get(IngestSource.GOSSIP, Engine.Counter.STORED)).isEqualTo(2);
    assertThat(c.get(IngestSource.SYNC, Engine.Counter.STORED)).isEqualTo(5);
    assertThat(c.get(IngestSource.SYNC, Engine.Counter.REJECTED)).isEqualTo(1);
    assertThat(c.get(IngestSource.OWN, Engine.Counter.DUPLICATE)).isZero();
    assertThat(c.totals())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(Engine.Counter.STORED, 7L, Engine.Counter.REJECTED, 1L));
    assertThat(c.snapshot())
        .containsEntry("gossip.stored", 2L)
        .containsEntry("sync.stored", 5L)
        .containsEntry("sync.rejected", 1L)
        .containsEntry("sync.rejected.malformed_envelope", 1L)
        .hasSize(4);
  }
}
