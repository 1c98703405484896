package org.grapevine.libp2p.bitswap.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.bitswap.BitswapCodec;
import org.grapevine.libp2p.bitswap.BitswapError;
import org.grapevine.libp2p.bitswap.BitswapEvent;
import org.grapevine.libp2p.bitswap.BitswapEvent.PeerMisbehaved;
import org.grapevine.libp2p.bitswap.BitswapLimits;
import org.grapevine.libp2p.bitswap.BitswapMessage;
import org.grapevine.libp2p.bitswap.BlockPayload;
import org.grapevine.libp2p.bitswap.BlockSource;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.WantEntry;
import org.grapevine.libp2p.bitswap.WantType;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BitswapService} between hosts over TCP on 127.0.0.1: two services fetching from each
 * other, and a bare host playing a misbehaving peer with raw frames on Bitswap streams.
 */
@Timeout(120)
// The liar's answer is fire-and-forget: the test watches what the client makes of it.
@SuppressWarnings("FutureReturnValueIgnored")
class BitswapServiceIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final BitswapCodec CODEC = new BitswapCodec(BitswapLimits.defaults());

  private final List<Host> hosts = new ArrayList<>();
  private final List<BitswapService> services = new ArrayList<>();

  /** A block store for a service: a map, as quick as the source must be. */
  static final class Store implements BlockSource {
    final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();

    Cid put(byte[] data) {
      Cid cid = Cid.rawSha256(data);
      blocks.put(cid, data.clone());
      return cid;
    }

    @Override
    public boolean has(Cid cid) {
      return blocks.containsKey(cid);
    }

    @Override
    public Optional<byte[]> get(Cid cid) {
      return Optional.ofNullable(blocks.get(cid)).map(byte[]::clone);
    }
  }

  /** A host with a Bitswap service, its store, and the misbehaviour it saw. */
  final class Node {
    final Host host;
    final Store store = new Store();
    final BlockingQueue<PeerMisbehaved> faults = new LinkedBlockingQueue<>();
    final BitswapService bitswap;

    Node(BitswapLimits limits) throws Exception {
      host = host();
      bitswap = BitswapService.start(host, store, limits, faults::add);
      services.add(bitswap);
    }

    PeerId id() {
      return host.peerId();
    }

    Connection dial(Host to) throws Exception {
      return host.dial(to.listenAddrs().get(0).withPeerId(to.peerId())).get(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() {
    services.forEach(BitswapService::close);
    hosts.forEach(Host::close);
  }

  private Host host() throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .build());
    hosts.add(h);
    h.start();
    return h;
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static BitswapFetchException fetchFailure(CompletableFuture<byte[]> f) {
    assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(BitswapFetchException.class);
    return (BitswapFetchException) f.handle((v, e) -> e).join();
  }

  /** A raw Bitswap stream from {@code from} to {@code to}, as a peer that writes frames by hand. */
  private static MuxedStream rawStream(Host from, Host to, StreamReader reader) throws Exception {
    Connection c =
        from.dial(to.listenAddrs().get(0).withPeerId(to.peerId())).get(10, TimeUnit.SECONDS);
    MuxedStream s =
        from.newStream(c, List.of(BitswapService.PROTOCOL)).get(10, TimeUnit.SECONDS).stream();
    s.setReader(reader);
    return s;
  }

  private static ByteBuf frame(BitswapMessage m) {
    byte[] body = CODEC.encode(m);
    return Unpooled.wrappedBuffer(Varint.encode(body.length), body);
  }

  @Test
  void fetch_oneBlock_fromTheConnectedPeerThatHasIt() throws Exception {
    Node client = new Node(BitswapLimits.defaults());
    Node server = new Node(BitswapLimits.defaults());
    byte[] data = bytes(1, 100_000);
    Cid cid = server.store.put(data);
    client.dial(server.host);

    byte[] got = client.bitswap.fetch(cid, List.of(server.id())).get(30, TimeUnit.SECONDS);

    assertThat(got).isEqualTo(data);
    assertThat(client.bitswap.counters().blocksReceived()).isEqualTo(1);
    assertThat(server.bitswap.counters().blocksSent()).isEqualTo(1);
    assertThat(server.bitswap.count(BitswapStreamCounter.OUTBOUND_STREAMS)).isEqualTo(1);
    assertThat(client.faults).isEmpty();
    assertThat(server.faults).isEmpty();
  }

  @Test
  void fetch_twentyBlocksOfOneMiB_allArriveIntactEachOnce() throws Exception {
    Node client = new Node(BitswapLimits.defaults());
    Node server = new Node(BitswapLimits.defaults());
    List<byte[]> blocks = new ArrayList<>();
    List<Cid> cids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      blocks.add(bytes(100 + i, 1 << 20));
      cids.add(server.store.put(blocks.get(i)));
    }
    client.dial(server.host);

    List<CompletableFuture<byte[]>> fetches = new ArrayList<>();
    for (Cid c : cids) {
      fetches.add(client.bitswap.fetch(c, List.of(server.id())));
    }
    // The same CID twice shares the want: one block crosses.
    CompletableFuture<byte[]> again = client.bitswap.fetch(cids.get(0), List.of(server.id()));

    for (int i = 0; i < 20; i++) {
      assertThat(fetches.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(blocks.get(i));
    }
    assertThat(again.get(60, TimeUnit.SECONDS)).isEqualTo(blocks.get(0));
    assertThat(server.bitswap.counters().blocksSent()).isEqualTo(20);
    assertThat(server.bitswap.counters().blockBytesSent()).isEqualTo(20L << 20);
    assertThat(client.bitswap.counters().blocksReceived()).isEqualTo(20);
    assertThat(client.bitswap.counters().duplicateBlocks()).isZero();
    // Three 1 MiB blocks fit a 4 MiB message: at least 7 messages, of which all but the last
    // may be counted yet (the count follows the muxer, the client may be faster).
    assertThat(server.bitswap.count(BitswapStreamCounter.MESSAGES_SENT)).isGreaterThanOrEqualTo(6);
    assertThat(server.bitswap.count(BitswapStreamCounter.MESSAGES_DROPPED)).isZero();
  }

  @Test
  void fetch_onlyPeerSaysDontHave_failsWithDontHave() throws Exception {
    Node client = new Node(BitswapLimits.defaults());
    Node server = new Node(BitswapLimits.defaults());
    client.dial(server.host);
    Cid missing = Cid.rawSha256(bytes(2, 10));

    BitswapFetchException e = fetchFailure(client.bitswap.fetch(missing, List.of(server.id())));

    assertThat(e.reason()).isEqualTo(BitswapEvent.Reason.DONT_HAVE);
    assertThat(e.cid()).isEqualTo(missing);
    assertThat(server.bitswap.counters().dontHavesSent()).isEqualTo(1);
  }

  @Test
  void inbound_bitswap110Peer_servedOnA110StreamOfOurs() throws Exception {
    Node server = new Node(BitswapLimits.defaults());
    Host old = host(); // speaks only 1.1.0: no want types, no presences
    byte[] data = bytes(11, 4000);
    Cid cid = server.store.put(data);
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    List<String> protocols = new java.util.concurrent.CopyOnWriteArrayList<>();
    old.setProtocolHandler(
        BitswapService.PROTOCOL_1_1_0, (stream, connection) -> stream.setReader(collector(reply)));
    old.addListener(
        new org.grapevine.libp2p.host.HostListener() {
          @Override
          public void onStreamOpened(Connection c, String protocol, boolean inbound) {
            if (inbound && protocol.startsWith("/ipfs/bitswap/")) {
              protocols.add(protocol);
            }
          }
        });
    Connection c =
        old.dial(server.host.listenAddrs().get(0).withPeerId(server.id()))
            .get(10, TimeUnit.SECONDS);
    MuxedStream s =
        old.newStream(c, List.of(BitswapService.PROTOCOL_1_1_0)).get(10, TimeUnit.SECONDS).stream();
    s.setReader(drop());

    // A 1.1.0 want: wantType and sendDontHave absent (Block, false on the wire).
    s.write(
        frame(BitswapMessage.wants(List.of(new WantEntry(cid, 1, false, WantType.BLOCK, false)))));
    s.closeWrite();

    BitswapMessage answer = decodeFrame(reply.get(30, TimeUnit.SECONDS));
    assertThat(answer.blocks()).containsExactly(BlockPayload.of(cid, data));
    assertThat(protocols).containsExactly(BitswapService.PROTOCOL_1_1_0);
  }

  /** Collects a stream's bytes until the peer half-closes or the first frame is whole. */
  private static StreamReader collector(CompletableFuture<byte[]> out) {
    return new StreamReader() {
      final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        try {
          data.readBytes(bytes, data.readableBytes());
        } catch (java.io.IOException e) {
          out.completeExceptionally(e);
        } finally {
          data.release();
        }
        ByteBuf in = Unpooled.wrappedBuffer(bytes.toByteArray());
        try {
          long len = Varint.read(in, 8 << 20);
          if (len >= 0 && in.readableBytes() >= len) {
            out.complete(bytes.toByteArray());
          }
        } catch (org.grapevine.libp2p.MalformedFrameException e) {
          out.completeExceptionally(e);
        }
      }

      @Override
      public void onRemoteClosed(MuxedStream s) {
        out.complete(bytes.toByteArray());
      }

      @Override
      public void onReset(MuxedStream s) {
        out.completeExceptionally(new IllegalStateException("reset"));
      }
    };
  }

  private static BitswapMessage decodeFrame(byte[] frame) throws Exception {
    ByteBuf in = Unpooled.wrappedBuffer(frame);
    long len = Varint.read(in, 8 << 20);
    byte[] body = new byte[(int) len];
    in.readBytes(body);
    return CODEC.decode(body);
  }

  @Test
  void fetch_candidateNotConnected_failsWithNoPeers() throws Exception {
    Node client = new Node(BitswapLimits.defaults());
    Node server = new Node(BitswapLimits.defaults());
    Cid cid = server.store.put(bytes(3, 10));

    BitswapFetchException e = fetchFailure(client.bitswap.fetch(cid, List.of(server.id())));

    assertThat(e.reason()).isEqualTo(BitswapEvent.Reason.NO_PEERS);
  }

  @Test
  void inbound_oversizeMessage_reportedStreamReset_otherPeersStillServed() throws Exception {
    Node server = new Node(BitswapLimits.defaults());
    Node client = new Node(BitswapLimits.defaults());
    Host attacker = host();
    CompletableFuture<Void> reset = new CompletableFuture<>();
    MuxedStream s = rawStream(attacker, server.host, resetWatcher(reset));

    // A length prefix of 5 MiB: refused before a byte of the body is buffered.
    s.write(Unpooled.wrappedBuffer(Varint.encode(5L << 20), new byte[1000]));

    PeerMisbehaved fault = server.faults.poll(30, TimeUnit.SECONDS);
    assertThat(fault).isEqualTo(new PeerMisbehaved(attacker.peerId(), BitswapError.TOO_LARGE));
    reset.get(30, TimeUnit.SECONDS);
    assertThat(server.bitswap.count(BitswapStreamCounter.MALFORMED_FRAMES)).isEqualTo(1);

    byte[] data = bytes(4, 5000);
    Cid cid = server.store.put(data);
    client.dial(server.host);
    assertThat(client.bitswap.fetch(cid, List.of(server.id())).get(30, TimeUnit.SECONDS))
        .isEqualTo(data);
    assertThat(server.faults).isEmpty();
  }

  @Test
  void inbound_moreStreamsThanTheCap_theExtraOneReset() throws Exception {
    Node server = new Node(BitswapLimits.defaults());
    Host opener = host();
    List<CompletableFuture<Void>> resets = new ArrayList<>();
    for (int i = 0; i <= BitswapService.MAX_INBOUND_STREAMS_PER_CONNECTION; i++) {
      CompletableFuture<Void> reset = new CompletableFuture<>();
      resets.add(reset);
      rawStream(opener, server.host, resetWatcher(reset));
    }

    resets.get(BitswapService.MAX_INBOUND_STREAMS_PER_CONNECTION).get(30, TimeUnit.SECONDS);
    assertThat(server.bitswap.count(BitswapStreamCounter.INBOUND_STREAM_LIMIT)).isEqualTo(1);
    assertThat(server.bitswap.count(BitswapStreamCounter.INBOUND_STREAMS))
        .isEqualTo(BitswapService.MAX_INBOUND_STREAMS_PER_CONNECTION);
    assertThat(resets.subList(0, BitswapService.MAX_INBOUND_STREAMS_PER_CONNECTION))
        .noneMatch(CompletableFuture::isDone);
  }

  @Test
  void inbound_frameNotFinishedInTime_streamReset() throws Exception {
    Host host = host();
    Store store = new Store();
    services.add(
        BitswapService.start(
            host, store, BitswapLimits.defaults(), f -> {}, TimeUnit.MILLISECONDS.toNanos(300)));
    BitswapService service = services.get(services.size() - 1);
    Host trickler = host();
    CompletableFuture<Void> reset = new CompletableFuture<>();
    MuxedStream s = rawStream(trickler, host, resetWatcher(reset));

    s.write(Unpooled.wrappedBuffer(Varint.encode(1000), new byte[10])); // 990 bytes never come

    reset.get(30, TimeUnit.SECONDS);
    assertThat(service.count(BitswapStreamCounter.FRAMES_TIMED_OUT)).isEqualTo(1);
    assertThat(service.counters().malformedMessages()).isZero();
  }

  @Test
  void inbound_bytesThatAreNoMessage_reportedMalformed() throws Exception {
    Node server = new Node(BitswapLimits.defaults());
    Host attacker = host();
    CompletableFuture<Void> reset = new CompletableFuture<>();
    MuxedStream s = rawStream(attacker, server.host, resetWatcher(reset));

    s.write(Unpooled.wrappedBuffer(new byte[] {3, (byte) 0xff, (byte) 0xff, (byte) 0xff}));

    assertThat(server.faults.poll(30, TimeUnit.SECONDS))
        .isEqualTo(new PeerMisbehaved(attacker.peerId(), BitswapError.MALFORMED));
    reset.get(30, TimeUnit.SECONDS);
    assertThat(server.bitswap.counters().malformedMessages()).isEqualTo(1);
  }

  @Test
  void inbound_unsolicitedBlock_reportedAndDropped() throws Exception {
    Node node = new Node(BitswapLimits.defaults());
    Host pusher = host();
    byte[] data = bytes(5, 2000);
    MuxedStream s = rawStream(pusher, node.host, resetWatcher(new CompletableFuture<>()));

    s.write(
        frame(
            BitswapMessage.reply(
                List.of(BlockPayload.of(Cid.rawSha256(data), data)), List.of(), 0)));

    assertThat(node.faults.poll(30, TimeUnit.SECONDS))
        .isEqualTo(new PeerMisbehaved(pusher.peerId(), BitswapError.UNSOLICITED_BLOCK));
    assertThat(node.bitswap.counters().unsolicitedBlocks()).isEqualTo(1);
    assertThat(node.bitswap.counters().blocksReceived()).isZero();
  }

  @Test
  void fetch_peerAnswersWithWrongBytes_reportedThenTimesOut() throws Exception {
    BitswapLimits limits =
        BitswapLimits.defaults().withAnswerTimeoutNanos(TimeUnit.SECONDS.toNanos(2));
    Node client = new Node(limits);
    Host liar = host();
    byte[] data = bytes(6, 3000);
    Cid cid = Cid.rawSha256(data);
    byte[] wrong = data.clone();
    wrong[10] ^= 1;
    // The liar takes our want, then answers on a stream of its own with bytes under cid's prefix.
    liar.setProtocolHandler(
        BitswapService.PROTOCOL,
        (stream, connection) ->
            stream.setReader(
                new StreamReader() {
                  boolean answered;

                  @Override
                  public void onData(MuxedStream st, ByteBuf in) {
                    in.release();
                    if (answered) {
                      return;
                    }
                    answered = true;
                    liar.newStream(connection, List.of(BitswapService.PROTOCOL))
                        .thenAccept(
                            ns ->
                                ns.stream()
                                    .write(
                                        frame(
                                            BitswapMessage.reply(
                                                List.of(new BlockPayload(cid.prefix(), wrong)),
                                                List.of(),
                                                0))));
                  }

                  @Override
                  public void onRemoteClosed(MuxedStream st) {}

                  @Override
                  public void onReset(MuxedStream st) {}
                }));
    client.dial(liar);

    CompletableFuture<byte[]> fetch = client.bitswap.fetch(cid, List.of(liar.peerId()));

    assertThat(client.faults.poll(30, TimeUnit.SECONDS))
        .isEqualTo(new PeerMisbehaved(liar.peerId(), BitswapError.HASH_MISMATCH));
    assertThat(fetchFailure(fetch).reason()).isEqualTo(BitswapEvent.Reason.TIMED_OUT);
    assertThat(client.bitswap.counters().mismatchedBlocks()).isEqualTo(1);
  }

  @Test
  void fetch_onlyPeerDisconnects_failsWithNoPeersBeforeTheAnswerTimeout() throws Exception {
    Node client = new Node(BitswapLimits.defaults()); // 10 s to answer
    Host silent = host();
    BlockingQueue<Boolean> wanted = new LinkedBlockingQueue<>();
    silent.setProtocolHandler(
        BitswapService.PROTOCOL,
        (stream, connection) -> {
          wanted.add(true);
          stream.setReader(drop());
        });
    client.dial(silent);
    CompletableFuture<byte[]> fetch =
        client.bitswap.fetch(Cid.rawSha256(bytes(9, 10)), List.of(silent.peerId()));
    assertThat(wanted.poll(30, TimeUnit.SECONDS)).isTrue();

    silent.close();

    assertThat(fetchFailure(fetch).reason()).isEqualTo(BitswapEvent.Reason.NO_PEERS);
  }

  @Test
  void close_pendingFetchFailsCancelled_handlerGone() throws Exception {
    Node client = new Node(BitswapLimits.defaults());
    Host silent = host(); // speaks Bitswap, never answers
    silent.setProtocolHandler(
        BitswapService.PROTOCOL, (stream, connection) -> stream.setReader(drop()));
    client.dial(silent);
    CompletableFuture<byte[]> fetch =
        client.bitswap.fetch(Cid.rawSha256(bytes(7, 10)), List.of(silent.peerId()));

    client.bitswap.close();

    assertThat(fetchFailure(fetch).reason()).isEqualTo(BitswapEvent.Reason.CANCELLED);
    assertThat(
            client
                .bitswap
                .fetch(Cid.rawSha256(bytes(8, 10)), List.of(silent.peerId()))
                .handle((v, e) -> ((BitswapFetchException) e).reason())
                .get(10, TimeUnit.SECONDS))
        .isEqualTo(BitswapEvent.Reason.CANCELLED);
  }

  private static StreamReader drop() {
    return new StreamReader() {
      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        data.release();
      }

      @Override
      public void onRemoteClosed(MuxedStream s) {}

      @Override
      public void onReset(MuxedStream s) {}
    };
  }

  private static StreamReader resetWatcher(CompletableFuture<Void> reset) {
    return new StreamReader() {
      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        data.release();
      }

      @Override
      public void onRemoteClosed(MuxedStream s) {}

      @Override
      public void onReset(MuxedStream s) {
        reset.complete(null);
      }
    };
  }
}
