package org.grapevine.node;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.SignaturePolicy;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.gossip.EntryMessageIds;
import org.grapevine.node.gossip.GossipIngress;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.sync.SyncService;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * A running participant, the composition root: the RocksDB store and the ingestion engine on one
 * storage thread, a libp2p host, GossipSub (one topic per identity; message id = entry id) feeding
 * the engine through {@link GossipIngress}, and catch-up sync. Follow = write a follow entry,
 * subscribe to the identity's topic and sync it from connected peers.
 *
 * <p>Not yet here (see the node issue): config files and data-directory layout, key files,
 * discovery (bootstrap, mDNS, peer store persistence, reconnects), budgets, the local API.
 */
public final class Node implements AutoCloseable {
  private final Identity identity;
  private final SigningKey device;
  private final RocksPostStore store;
  private final ScheduledExecutorService storage = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "grapevine-storage");
    t.setDaemon(true);
    return t;
  });
  private final Engine engine;
  private final Host host;
  private final GossipDriver gossip;
  private final SyncService sync;
  private LogWriter writer;

  /**
   * Opens (or creates) the store under {@code dataDir}, delegates {@code device} in the identity's
   * root log if the store does not hold that yet (needs {@code root} then), and starts networking.
   *
   * @param root the identity's root key; only needed the first time, may be null afterwards
   */
  public static Node start(Path dataDir, Identity identity, SigningKey root, SigningKey device, HostConfig hostConfig,
      EventLoopGroup group) throws IOException {
    Node node = new Node(dataDir, identity, device, hostConfig, group);
    try {
      node.call(() -> {
        node.ensureDelegated(root);
        return null;
      });
      node.startNetwork();
      return node;
    } catch (RuntimeException | IOException e) {
      node.close();
      throw e;
    }
  }

  private Node(Path dataDir, Identity identity, SigningKey device, HostConfig hostConfig, EventLoopGroup group) {
    this.identity = identity;
    this.device = device;
    this.store = RocksPostStore.open(dataDir.resolve("store"));
    this.engine = new Engine(store, new EntryValidator(), new ChainChecker(), 256, 16_384);
    this.host = new Host(hostConfig, group);
    this.gossip = new GossipDriver(host, GossipConfig.builder()
        .signaturePolicy(SignaturePolicy.STRICT_NO_SIGN) // Entries carry their authors' signatures.
        .messageIdFunction(EntryMessageIds.function())
        .build(), new SplittableRandom(), group.next());
    this.sync = new SyncService(host, store, engine, storage, SyncLimits.DEFAULT, System::currentTimeMillis);
  }

  private void startNetwork() throws IOException {
    gossip.setMessageHandler(new GossipIngress(engine, storage, System::currentTimeMillis, this::onOutcome));
    gossip.start();
    sync.start();
    host.start();
    for (Identity followed : store.follows()) { // Our own identity included.
      gossip.subscribe(Topics.forIdentity(followed));
    }
  }

  public Identity identity() {
    return identity;
  }

  public Host host() {
    return host;
  }

  /** The store, for reading (timelines, threads); writes go through the node. */
  public RocksPostStore store() {
    return store;
  }

  /** Dials a peer; sync runs on the new connection. */
  public CompletableFuture<Connection> connect(Multiaddr addr) {
    return host.dial(addr);
  }

  /** Writes {@code content} to this device's log, durably, then publishes it. */
  public LogEntry post(Content content) {
    LogEntry entry = call(() -> {
      LogEntry e = writer.append(content, System.currentTimeMillis());
      IngestOutcome o = engine.ingest(e, true, System.currentTimeMillis());
      if (!(o instanceof IngestOutcome.Stored)) {
        throw new IllegalStateException("own entry not stored: " + o);
      }
      return e;
    });
    gossip.publish(Topics.forIdentity(identity), entry.toEnvelopeBytes());
    return entry;
  }

  /** Follows {@code other}: a follow entry in our log, its topic, and a sync with every connected peer. */
  public void follow(Identity other) {
    post(Content.newBuilder().setFollow(Follow.newBuilder()
        .setIdentity(com.google.protobuf.ByteString.copyFrom(other.root().unsafeBytes()))).build());
    call(() -> {
      store.follow(other);
      return null;
    });
    gossip.subscribe(Topics.forIdentity(other)).join();
    for (Connection c : host.connections()) {
      sync.syncWith(c);
    }
  }

  @Override
  public void close() {
    gossip.close();
    host.close();
    sync.close();
    storage.shutdown();
    try {
      storage.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  private void onOutcome(IngestOutcome outcome) {
    if (outcome instanceof IngestOutcome.Buffered) {
      for (Connection c : host.connections()) {
        sync.syncWith(c); // A gap: fetch what is missing from whoever holds it.
      }
    }
  }

  private void ensureDelegated(SigningKey root) {
    if (store.deviceStatus(identity, device.publicKey()).state() == org.grapevine.protocol.validation.DeviceStatus.State.UNKNOWN) {
      if (root == null) {
        throw new IllegalStateException("device " + device.publicKey() + " is not delegated by " + identity
            + " in this store, and no root key was given to delegate it");
      }
      LogWriter rootLog = LogWriter.rootLog(root, head(root.publicKey()));
      LogEntry delegation = rootLog.append(Content.newBuilder().setDelegateDevice(DelegateDevice.newBuilder()
          .setDevice(com.google.protobuf.ByteString.copyFrom(device.publicKey().unsafeBytes()))).build(), System.currentTimeMillis());
      engine.ingest(delegation, true, System.currentTimeMillis());
    }
    writer = new LogWriter(identity, device, head(device.publicKey()));
    // A node keeps, serves and reads its own identity like any followed one (sync offers only
    // identities both sides follow, and the timeline shows our own posts).
    if (!store.follows().contains(identity)) {
      store.follow(identity);
    }
  }

  private LogHead head(org.grapevine.protocol.identity.AuthorKey author) {
    long seq = store.contiguousHead(author);
    return seq == 0 ? LogHead.EMPTY : LogHead.of(store.entry(author, seq).orElseThrow());
  }

  private <T> T call(java.util.concurrent.Callable<T> task) {
    try {
      return storage.submit(task).get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
