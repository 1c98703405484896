package org.grapevine.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.host.Host;
import org.grapevine.node.core.CoreConfig;
import org.grapevine.node.core.NodeCore;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.gossip.NodeGossip;
import org.grapevine.node.runtime.CoreDriver;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * A real node's sync half for the sync ITs: a RocksDB store in its own directory, the engine, the
 * storage thread, a host on 127.0.0.1 and the node core with its driver, whose wall clock reads a
 * fixed {@code nowMillis}. Closed (host, driver, storage thread, store) by the test's {@code
 * closing} list.
 */
public final class SyncNode {
  public final RocksPostStore store;
  public final Engine engine;
  public final ScheduledExecutorService storage = Executors.newSingleThreadScheduledExecutor();
  public final Host host;
  private final long nowMillis;

  public SyncNode(
      Path directory,
      Budgets budgets,
      EventLoopGroup group,
      List<AutoCloseable> closing,
      long nowMillis)
      throws Exception {
    this.nowMillis = nowMillis;
    store = RocksPostStore.open(directory);
    engine = new Engine(store, new EntryValidator(), new ChainChecker(), 64, 1024, budgets);
    host = BarePeer.host(group, new ArrayList<>()); // Closed below, with the node.
    CoreDriver sync =
        new CoreDriver(
            new NodeCore(
                store,
                engine,
                new GossipRouter(NodeGossip.config(), host.peerId(), null, new SplittableRandom(2)),
                CoreConfig.of(Duration.ofHours(1), now -> nowMillis),
                new SplittableRandom(1),
                System.nanoTime()),
            host,
            storage,
            System::nanoTime);
    sync.start();
    closing.add(
        () -> {
          host.close();
          sync.close();
          storage.shutdown();
          storage.awaitTermination(5, TimeUnit.SECONDS);
          store.close();
        });
  }

  /** Ingests the entries on the storage thread (as sync would); each must be stored. */
  public void holds(List<LogEntry> entries) throws Exception {
    storage
        .submit(
            () -> {
              for (LogEntry e : entries) {
                assertThat(engine.ingest(e.toEnvelopeBytes(), nowMillis))
                    .isInstanceOf(IngestOutcome.Stored.class);
              }
            })
        .get();
  }

  /** Dials {@code other}: the two sync with each other from then on. */
  public void dial(SyncNode other) throws Exception {
    host.dial(other.host.listenAddrs().get(0).withPeerId(other.host.peerId()))
        .get(10, TimeUnit.SECONDS);
  }

  /** Waits up to 60 s until this node's head of {@code device}'s log is at least {@code head}. */
  public void awaitHead(SigningKey device, long head) throws InterruptedException {
    BarePeer.await(
        "head " + head + " of " + device.publicKey(),
        () -> store.contiguousHead(device.publicKey()) >= head);
  }
}
