package org.grapevine.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.host.Host;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.engine.ContentState;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.runtime.CoreDriver;
import org.grapevine.node.testing.SyncNode;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSession;
import org.grapevine.protocol.sync.SyncSource;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up between two real nodes' sync halves (host, node core and its driver, engine, RocksDB)
 * over TCP on 127.0.0.1, with the authors offline: followers serve each other, in both directions.
 */
@Timeout(120)
class SyncServiceIT {
  private static final long NOW = T0_MILLIS + 3_600_000;
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();

  /** A node's sync half ({@link SyncNode}) in {@code dir/name}. */
  private SyncNode node(String name) throws Exception {
    return node(name, Budgets.UNLIMITED);
  }

  private SyncNode node(String name, Budgets budgets) throws Exception {
    return new SyncNode(dir.resolve(name), budgets, group, closing, NOW);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static List<LogEntry> log(TestAuthors.Person who, SigningKey device, int posts) {
    List<LogEntry> out = new ArrayList<>();
    out.add(who.delegate(device, T0_MILLIS));
    LogWriter w = who.deviceLog(device);
    for (int i = 1; i <= posts; i++) {
      out.add(w.append(post(who.identity + " post " + i), T0_MILLIS + i));
    }
    return out;
  }

  private static void awaitHead(SyncNode n, SigningKey device, long head) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (n.store.contiguousHead(device.publicKey()) < head) {
      assertThat(System.nanoTime())
          .as("head " + n.store.contiguousHead(device.publicKey()) + " of " + head)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void newFollower_catchesUpFromAnotherFollower_authorOffline() throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    List<LogEntry> bobs = log(bob, phone, 600); // More than two 256-entry batches.
    SyncNode a = node("a");
    a.holds(bobs);
    a.store.follow(bob.identity);
    SyncNode b = node("b");
    b.store.follow(bob.identity);

    b.host.dial(a.host.listenAddrs().get(0).withPeerId(a.host.peerId())).get(10, TimeUnit.SECONDS);
    awaitHead(b, phone, 600);
    assertThat(b.store.contiguousHead(bob.root.publicKey())).isEqualTo(1);
    assertThat(b.store.logEntry(phone.publicKey(), 600).orElseThrow().id())
        .isEqualTo(bobs.get(600).id());
    assertThat(b.store.logEntry(phone.publicKey(), 1).orElseThrow().content())
        .contains(post(bob.identity + " post 1"));
    assertThat(b.engine.rejects()).isEmpty();
  }

  @Test
  void twoFollowers_eachServesTheOtherWhatItLacks_onlyCommonFollows() throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    TestAuthors.Person dave = TestAuthors.person("dave");
    SigningKey bobPhone = bob.deviceKey("phone");
    SigningKey carolLaptop = carol.deviceKey("laptop");
    SigningKey davePhone = dave.deviceKey("phone");
    List<LogEntry> bobs = log(bob, bobPhone, 120);
    List<LogEntry> carols = log(carol, carolLaptop, 40);
    List<LogEntry> daves = log(dave, davePhone, 10);
    SyncNode a = node("a");
    a.holds(bobs.subList(0, 51)); // Bob 1..50 (and his root log)
    a.holds(carols);
    a.store.follow(bob.identity);
    a.store.follow(carol.identity);
    SyncNode b = node("b");
    b.holds(bobs);
    b.holds(daves); // b follows Dave, a does not: Dave is not offered.
    b.store.follow(bob.identity);
    b.store.follow(carol.identity);
    b.store.follow(dave.identity);

    a.host.dial(b.host.listenAddrs().get(0).withPeerId(b.host.peerId())).get(10, TimeUnit.SECONDS);
    awaitHead(a, bobPhone, 120);
    awaitHead(b, carolLaptop, 40);
    Thread.sleep(500);
    assertThat(a.store.contiguousHead(davePhone.publicKey())).isZero();
    assertThat(a.engine.rejects()).isEmpty();
    assertThat(b.engine.rejects()).isEmpty();
  }

  /** Waits until every one of {@code entries} is held with its content by {@code n}. */
  private static void awaitContent(SyncNode n, List<LogEntry> entries) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (LogEntry e : entries) {
      while (true) {
        LogEntry held = n.store.entryById(e.id()).orElseThrow();
        ContentState state = n.engine.contentState(held);
        assertThat(state).as("content of " + e.id()).isNotEqualTo(ContentState.DELETED);
        if (state == ContentState.HELD) {
          assertThat(held.contentBytes()).contains(e.contentBytes().orElseThrow());
          break;
        }
        assertThat(System.nanoTime()).as("content of " + e.id() + " arrives").isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  /** Serves bob's log as {@code entries} give it (bare, say) from {@code host}, on its sync id. */
  private static void serveList(
      Host host, TestAuthors.Person bob, SigningKey phone, List<LogEntry> entries) {
    host.setProtocolHandler(
        CoreDriver.SYNC_PROTOCOL,
        (stream, conn) ->
            ListServer.serve(
                stream,
                new SyncSession(
                    Set.of(bob.identity),
                    new ListSource(bob, phone, entries),
                    SyncLimits.DEFAULT,
                    System.nanoTime())));
  }

  /**
   * Issue 12, case 2: a peer serves bob's posts without their content (a hostile peer can; so does
   * one over its quota). They are stored as missing, never shown as deleted; the next peer that
   * holds them serves their content by hash, checked against the signed entries.
   */
  @Test
  void peerServesBareEntries_thenAnotherServesContent_contentArrivesNeverDeleted()
      throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    List<LogEntry> bobs = log(bob, phone, 300);
    List<LogEntry> bare = new ArrayList<>();
    bare.add(bobs.get(0)); // The delegation: root-log entries always travel with content.
    bobs.subList(1, bobs.size()).forEach(e -> bare.add(e.withoutContent()));
    SyncNode h = node("h");
    serveList(h.host, bob, phone, bare);
    SyncNode n = node("n");
    n.store.follow(bob.identity);

    n.host.dial(h.host.listenAddrs().get(0).withPeerId(h.host.peerId())).get(10, TimeUnit.SECONDS);
    awaitHead(n, phone, 300);
    for (LogEntry e : bobs.subList(1, bobs.size())) {
      LogEntry held = n.store.entryById(e.id()).orElseThrow();
      assertThat(held.hasContent()).isFalse();
      assertThat(n.engine.contentState(held)).isEqualTo(ContentState.MISSING_NOT_FETCHED);
    }

    SyncNode f = node("f");
    f.holds(bobs);
    f.store.follow(bob.identity);
    n.host.dial(f.host.listenAddrs().get(0).withPeerId(f.host.peerId())).get(10, TimeUnit.SECONDS);

    awaitContent(n, bobs.subList(1, bobs.size()));
    assertThat(n.store.missingContent(bob.identity, 10)).isEmpty();
    assertThat(n.engine.counts()).containsEntry(Engine.Counter.CONTENT_FILLED, 300L);
    assertThat(n.engine.rejects()).isEmpty();
  }

  /**
   * Issue 12, case 2: a peer over its quota for bob holds his later posts without content and
   * serves them so; a third peer that holds them serves the content.
   */
  @Test
  void quotaLimitedPeer_servesBareEntries_contentFetchedFromAThirdPeer() throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    List<LogEntry> bobs = log(bob, phone, 100);
    long quota = 0;
    for (LogEntry e : bobs.subList(0, 41)) { // The delegation and 40 posts fit.
      quota += e.header().contentSize();
    }
    SyncNode q = node("q", new Budgets(quota, 1 << 20));
    q.store.follow(bob.identity);
    q.holds(bobs);
    List<LogEntry> dropped = bobs.subList(41, bobs.size());
    for (LogEntry e : dropped) {
      assertThat(q.store.entryById(e.id()).orElseThrow().hasContent()).isFalse();
    }
    SyncNode n = node("n");
    n.store.follow(bob.identity);

    n.host.dial(q.host.listenAddrs().get(0).withPeerId(q.host.peerId())).get(10, TimeUnit.SECONDS);
    awaitHead(n, phone, 100);
    assertThat(n.store.entryById(bobs.get(40).id()).orElseThrow().hasContent()).isTrue();
    for (LogEntry e : dropped) {
      assertThat(n.engine.contentState(n.store.entryById(e.id()).orElseThrow()))
          .isEqualTo(ContentState.MISSING_NOT_FETCHED);
    }

    SyncNode f = node("f");
    f.holds(bobs);
    f.store.follow(bob.identity);
    n.host.dial(f.host.listenAddrs().get(0).withPeerId(f.host.peerId())).get(10, TimeUnit.SECONDS);

    awaitContent(n, dropped);
    assertThat(n.engine.counts()).containsEntry(Engine.Counter.CONTENT_FILLED, 60L);
    // The quota-limited peer still holds them as missing over its quota, never as deleted.
    assertThat(q.engine.contentState(q.store.entryById(dropped.get(0).id()).orElseThrow()))
        .isEqualTo(ContentState.MISSING_OVER_QUOTA);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // A serves; the test checks what B stored
  @Test
  void peerServesABadSignature_sessionFails_nothingAfterItIsStored() throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    List<LogEntry> bobs = new ArrayList<>(log(bob, phone, 600));
    LogEntry good = bobs.get(300);
    byte[] badSignature = good.signed().signature();
    badSignature[0] ^= 1;
    bobs.set(
        300,
        LogEntry.of(
            SignedEntry.ofVerified(
                good.header(), good.signed().entryBytes(), badSignature, good.id()),
            good.contentBytes().orElseThrow(),
            good.content().orElseThrow()));
    // A serves bob's log as given, bad entry included: its own session over a list, not a store.
    SyncNode a = node("a");
    a.host.setProtocolHandler(
        CoreDriver.SYNC_PROTOCOL,
        (stream, conn) ->
            ListServer.serve(
                stream,
                new SyncSession(
                    Set.of(bob.identity),
                    new ListSource(bob, phone, bobs),
                    SyncLimits.DEFAULT,
                    System.nanoTime())));
    SyncNode b = node("b");
    b.store.follow(bob.identity);

    b.host.dial(a.host.listenAddrs().get(0).withPeerId(a.host.peerId())).get(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (b.engine.rejects().isEmpty()) {
      assertThat(System.nanoTime()).as("b rejects the bad entry").isLessThan(deadline);
      Thread.sleep(20);
    }
    Thread.sleep(500); // Batches verified meanwhile would be stored (or buffered) by now.
    assertThat(b.engine.rejects()).isEqualTo(Map.of(RejectReason.BAD_SIGNATURE, 1L));
    assertThat(b.store.contiguousHead(phone.publicKey())).isEqualTo(299);
    // 600 entries come in three batches at once (the credit window is four): the third, verified
    // while the second was stored, must not reach the engine after the session failed.
    assertThat(b.engine.counts())
        .containsEntry(Engine.Counter.STORED, 300L)
        .doesNotContainKey(Engine.Counter.BUFFERED);
  }

  /**
   * Serves a {@link SyncSession} over a list on one stream, on the stream's event loop: a peer that
   * serves whatever it is given, bad entries included (a store would refuse them).
   */
  private static final class ListServer implements org.grapevine.libp2p.mux.StreamReader {
    private final org.grapevine.libp2p.mux.MuxedStream stream;
    private final SyncSession session;
    private final org.grapevine.libp2p.encoding.DelimitedReader frames =
        new org.grapevine.libp2p.encoding.DelimitedReader(
            io.netty.buffer.ByteBufAllocator.DEFAULT, SyncLimits.MAX_MESSAGE_BYTES);

    private ListServer(org.grapevine.libp2p.mux.MuxedStream stream, SyncSession session) {
      this.stream = stream;
      this.session = session;
    }

    static void serve(org.grapevine.libp2p.mux.MuxedStream stream, SyncSession session) {
      ListServer server = new ListServer(stream, session);
      stream.setReader(server);
      stream.executor().execute(server::flush);
    }

    @Override
    public void onData(org.grapevine.libp2p.mux.MuxedStream s, io.netty.buffer.ByteBuf data) {
      try {
        for (byte[] m : frames.feed(data)) {
          session.handleMessage(m, System.nanoTime());
        }
      } catch (org.grapevine.libp2p.MalformedFrameException e) {
        throw new AssertionError(e);
      }
      flush();
    }

    @Override
    public void onRemoteClosed(org.grapevine.libp2p.mux.MuxedStream s) {
      frames.close();
    }

    @Override
    public void onReset(org.grapevine.libp2p.mux.MuxedStream s) {
      frames.close();
    }

    private void flush() {
      for (byte[] out = session.pollOutbound().orElse(null);
          out != null;
          out = session.pollOutbound().orElse(null)) {
        stream.write(
            org.grapevine.libp2p.encoding.DelimitedReader.frame(
                io.netty.buffer.ByteBufAllocator.DEFAULT, out));
      }
      while (session.pollEvent().isPresent()) {
        // It fetches nothing (the peer holds nothing it lacks); events are of no interest here.
      }
      if (session.isOver()) {
        stream.closeWrite();
      }
    }
  }

  /** Bob's root log (one delegation) and device log, from a list. */
  private record ListSource(TestAuthors.Person who, SigningKey device, List<LogEntry> entries)
      implements SyncSource {
    @Override
    public Map<AuthorKey, Long> heads(Identity identity) {
      return Map.of(who.identity.root(), 1L, device.publicKey(), (long) entries.size() - 1);
    }

    @Override
    public long contiguousHead(AuthorKey author) {
      return heads(who.identity).getOrDefault(author, 0L);
    }

    @Override
    public List<LogEntry> entries(AuthorKey author, long fromSeq, int maxCount, long maxBytes) {
      int offset =
          author.equals(who.identity.root())
              ? -1
              : 0; // Device seq n is entries[n]; the root's 1 is entries[0].
      return SyncSource.collect(
          seq ->
              seq + offset < entries.size() && seq <= contiguousHead(author)
                  ? Optional.of(entries.get((int) (seq + offset)))
                  : Optional.empty(),
          fromSeq,
          maxCount,
          maxBytes);
    }
  }
}
