package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.Map;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.metrics.MetricFamily;
import org.grapevine.node.metrics.MetricsRegistry;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryFanOutTest {
  @TempDir Path dir;

  /**
   * Issue 12: content dropped because its delete came first, and purges, are visible in metrics.
   */
  @Test
  void countEngine_contentDroppedDeletedAndPurged_showInGrapevineEngineTotal() {
    MetricsRegistry metrics = new MetricsRegistry();
    EntryFanOut fanOut = new EntryFanOut(metrics);
    TestAuthors.Person alice = TestAuthors.person("alice");
    SigningKey laptop = alice.deviceKey("laptop");
    SigningKey phone = alice.deviceKey("phone");
    LogWriter laptopLog = alice.deviceLog(laptop);
    LogWriter phoneLog = alice.deviceLog(phone);
    LogEntry target = laptopLog.append(TestAuthors.post("regretted"), T0_MILLIS + 1);
    LogEntry delete =
        phoneLog.append(
            Content.newBuilder()
                .setDelete(
                    Delete.newBuilder().setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
                .build(),
            T0_MILLIS + 2);
    long now = T0_MILLIS + 60_000;
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 4, 8);
      fanOut.countEngine(engine);
      for (LogEntry e :
          java.util.List.of(
              alice.delegate(laptop, T0_MILLIS),
              alice.delegate(phone, T0_MILLIS),
              delete,
              target,
              alice.revoke(phone, 0, T0_MILLIS + 3))) {
        engine.ingest(e.toEnvelopeBytes(), now);
      }

      Map<String, Long> samples = engineTotals(metrics);
      assertThat(samples)
          .containsEntry("content_dropped_deleted", 1L)
          .containsEntry("purged_revoked", 1L)
          .containsEntry("stored", 5L);
    }
  }

  private static Map<String, Long> engineTotals(MetricsRegistry metrics) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (MetricFamily f : metrics.snapshot()) {
      if (f.name().equals("grapevine_engine_total")) {
        f.samples().forEach(s -> out.put(s.labels().get("counter"), s.value()));
      }
    }
    return out;
  }
}
