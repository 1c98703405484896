package org.grapevine.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.node.core.CoreConfig;
import org.grapevine.node.core.NodeCore;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.runtime.CoreDriver;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Entries;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.LogHeadSeq;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over catch-up sync against a real node's sync half (RocksDB, engine, sync service, TCP
 * on 127.0.0.1): a hostile peer opens raw sync streams and sends an oversize frame, a message that
 * does not decode, and entries with broken signatures. Each closes the stream with the matching
 * Error, counts against the peer, stores nothing; the third costs the peer its connection; and the
 * node still serves a well-behaved follower afterwards.
 */
@Timeout(120)
class SyncBadInputIT {
  private static final long NOW = T0_MILLIS + 3_600_000;
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final SigningKey phone = bob.deviceKey("phone");
  private final LogEntry delegation = bob.delegate(phone, T0_MILLIS);
  private final List<LogEntry> bobs = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Host host() throws Exception {
    return BarePeer.host(group, closing);
  }

  /** A node's sync half following Bob, holding {@code entries} of his. */
  private final class SyncNode {
    final RocksPostStore store;
    final Engine engine;
    final ScheduledExecutorService storage = Executors.newSingleThreadScheduledExecutor();
    final Host host;
    final CoreDriver sync;

    SyncNode(String name, List<LogEntry> entries) throws Exception {
      store = RocksPostStore.open(dir.resolve(name));
      closing.add(
          () -> {
            storage.shutdown();
            storage.awaitTermination(5, TimeUnit.SECONDS);
            store.close();
          });
      engine = new Engine(store, new EntryValidator(), new ChainChecker(), 64, 1024);
      host = host();
      sync =
          new CoreDriver(
              new NodeCore(
                  store,
                  engine,
                  new org.grapevine.libp2p.gossipsub.GossipRouter(
                      org.grapevine.node.gossip.NodeGossip.config(),
                      host.peerId(),
                      null,
                      new java.util.SplittableRandom(2)),
                  CoreConfig.of(java.time.Duration.ofHours(1), now -> NOW),
                  new java.util.SplittableRandom(1),
                  System.nanoTime()),
              host,
              storage,
              System::nanoTime);
      sync.start();
      store.follow(bob.identity);
      storage
          .submit(
              () -> {
                for (LogEntry e : entries) {
                  assertThat(engine.ingest(e.toEnvelopeBytes(), NOW))
                      .isInstanceOf(IngestOutcome.Stored.class);
                }
              })
          .get();
    }
  }

  /** One raw sync stream of the hostile peer: what it receives, and whether the node closed it. */
  private static final class RawStream implements StreamReader {
    final BlockingQueue<SyncMessage> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> closedByNode = new CompletableFuture<>();
    final DelimitedReader frames =
        new DelimitedReader(ByteBufAllocator.DEFAULT, SyncLimits.MAX_MESSAGE_BYTES);
    MuxedStream stream;

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        for (byte[] m : frames.feed(data)) {
          received.add(SyncMessage.parseFrom(m));
        }
      } catch (MalformedFrameException | com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError("the node sent a bad frame", e);
      }
    }

    @Override
    public void onRemoteClosed(MuxedStream s) {
      closedByNode.complete(null);
    }

    @Override
    public void onReset(MuxedStream s) {
      closedByNode.complete(null);
    }

    void send(byte[] message) {
      stream.write(DelimitedReader.frame(ByteBufAllocator.DEFAULT, message));
    }

    void sendRaw(ByteBuf bytes) {
      stream.write(bytes);
    }

    SyncMessage next(SyncMessage.BodyCase body) throws InterruptedException {
      while (true) {
        SyncMessage m = received.poll(30, TimeUnit.SECONDS);
        assertThat(m).as("waiting for %s", body).isNotNull();
        if (m.getBodyCase() == body) {
          return m;
        }
      }
    }
  }

  private static RawStream open(Host hostile, Connection c) throws Exception {
    RawStream raw = new RawStream();
    raw.stream =
        hostile.newStream(c, List.of(CoreDriver.SYNC_PROTOCOL)).get(10, TimeUnit.SECONDS).stream();
    raw.stream.setReader(raw);
    return raw;
  }

  private static byte[] message(SyncMessage.Builder m) {
    return m.setVersion(SyncLimits.VERSION).build().toByteArray();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private void assertErrorAndClosed(RawStream raw, SyncErrorCode code) throws Exception {
    assertThat(raw.next(SyncMessage.BodyCase.ERROR).getError().getCode()).isEqualTo(code.number());
    raw.closedByNode.get(30, TimeUnit.SECONDS);
  }

  @Test
  void hostilePeer_oversizeMalformedAndInvalid_streamClosedCountedNothingStored_nodeKeepsServing()
      throws Exception {
    LogWriter log = bob.deviceLog(phone);
    for (int i = 1; i <= 20; i++) {
      bobs.add(log.append(post("bob " + i), T0_MILLIS + i));
    }
    List<LogEntry> held = new ArrayList<>(List.of(delegation));
    held.addAll(bobs);
    SyncNode node = new SyncNode("node", held.subList(0, 11)); // Bob's delegation and 1..10
    Host hostile = host();
    Connection c =
        hostile
            .dial(node.host.listenAddrs().get(0).withPeerId(node.host.peerId()))
            .get(10, TimeUnit.SECONDS);

    // 1. A frame whose length is over the limit: refused before it is buffered.
    RawStream oversize = open(hostile, c);
    ByteBuf length = ByteBufAllocator.DEFAULT.buffer();
    Varint.write(length, SyncLimits.MAX_MESSAGE_BYTES + 1L);
    length.writeBytes(new byte[64]);
    oversize.sendRaw(length);
    assertErrorAndClosed(oversize, SyncErrorCode.MESSAGE_TOO_LARGE);
    await(
        "one fault counted", () -> node.sync.peerFaults().getOrDefault(hostile.peerId(), 0L) == 1);

    // 2. A frame that is not a SyncMessage.
    RawStream malformed = open(hostile, c);
    malformed.send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    assertErrorAndClosed(malformed, SyncErrorCode.MALFORMED_MESSAGE);
    await(
        "two faults counted", () -> node.sync.peerFaults().getOrDefault(hostile.peerId(), 0L) == 2);

    // 3. The protocol followed, but the entries it serves have broken signatures.
    RawStream invalid = open(hostile, c);
    invalid.send(
        message(
            SyncMessage.newBuilder()
                .setHeads(
                    Heads.newBuilder()
                        .setLast(true)
                        .addIdentities(
                            IdentityHeads.newBuilder()
                                .setIdentity(ByteString.copyFrom(bob.identity.root().unsafeBytes()))
                                .addLogs(
                                    LogHeadSeq.newBuilder()
                                        .setAuthor(
                                            ByteString.copyFrom(bob.identity.root().unsafeBytes()))
                                        .setHead(1))
                                .addLogs(
                                    LogHeadSeq.newBuilder()
                                        .setAuthor(
                                            ByteString.copyFrom(phone.publicKey().unsafeBytes()))
                                        .setHead(20))))));
    assertThat(invalid.next(SyncMessage.BodyCase.WANT).getWant().getRanges(0).getFromSeq())
        .isEqualTo(11);
    Entries.Builder batch = Entries.newBuilder();
    for (LogEntry e : bobs.subList(10, 13)) {
      byte[] sig = e.signed().signature();
      sig[5] ^= 1;
      batch.addEnvelopes(
          Envelope.parseFrom(
              EntryCodec.encodeEnvelope(
                  e.signed().entryBytes(), sig, e.contentBytes().orElseThrow())));
    }
    invalid.send(message(SyncMessage.newBuilder().setEntries(batch)));
    assertErrorAndClosed(invalid, SyncErrorCode.INVALID_ENTRY);
    await(
        "three faults counted",
        () -> node.sync.peerFaults().getOrDefault(hostile.peerId(), 0L) == 3);
    assertThat(node.engine.countsBySource()).containsEntry("sync.rejected.bad_signature", 1L);
    assertThat(node.store.contiguousHead(phone.publicKey())).isEqualTo(10);
    // The third fault costs the peer its connection.
    await("the node closed the hostile connection", () -> !c.isOpen());

    // 4. A well-behaved follower: served by the node, and serving it the rest.
    SyncNode follower = new SyncNode("follower", held);
    follower
        .host
        .dial(node.host.listenAddrs().get(0).withPeerId(node.host.peerId()))
        .get(10, TimeUnit.SECONDS);
    await(
        "the node caught up from the follower",
        () -> node.store.contiguousHead(phone.publicKey()) == 20);
    assertThat(node.store.logEntry(phone.publicKey(), 20).orElseThrow().id())
        .isEqualTo(bobs.get(19).id());
    assertThat(node.sync.peerFaults()).containsOnlyKeys(hostile.peerId());
    assertThat(follower.sync.peerFaults()).isEmpty();
  }
}
