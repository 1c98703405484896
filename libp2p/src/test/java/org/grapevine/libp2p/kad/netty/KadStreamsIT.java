package org.grapevine.libp2p.kad.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.DialException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadPeerInfo;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kademlia adapter between two of our hosts over TCP on 127.0.0.1: {@link KadClient} on one,
 * {@link KadInboundHandler} over a {@link KadServer} ({@link KadTestServer}) on the other, and raw
 * streams where a test plays a misbehaving peer.
 */
@Timeout(60)
class KadStreamsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final byte[] CID_KEY = multihash(7);
  private static final KadCodec CODEC = new KadCodec();

  private final List<Host> hosts = new ArrayList<>();
  private final ExecutorService dhtLoop = Executors.newSingleThreadExecutor();
  private final List<PeerId> faults = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Host server;
  private Host client;
  private KadTestServer dht;
  private KadInboundHandler inbound;
  private KadClient kad;

  @BeforeEach
  void start() throws Exception {
    server = host();
    client = host();
    dht = new KadTestServer(server.peerId());
    kad = new KadClient(KadStreamConfig.defaults(), ByteBufAllocator.DEFAULT);
  }

  @AfterEach
  void stop() {
    hosts.forEach(Host::close);
    dhtLoop.shutdownNow();
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

  private void serve(KadStreamConfig config) {
    inbound = new KadInboundHandler(config, dht, dhtLoop, ByteBufAllocator.DEFAULT);
    inbound.onPeerFault((peer, what) -> faults.add(peer));
    inbound.register(server);
  }

  private KadPeer serverPeer() {
    return new KadPeer(server.peerId(), server.listenAddrs());
  }

  private static byte[] multihash(int seed) {
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 32;
    mh[2] = (byte) seed;
    return mh;
  }

  private static PeerId somePeer() {
    return PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
  }

  private KadMessage ask(KadMessage request) throws Exception {
    return kad.request(client, serverPeer(), request, true, WAIT).get(20, TimeUnit.SECONDS);
  }

  /** A raw stream from the client to the server's DHT protocol, read by a collector. */
  private MuxedStream rawStream(TestReader collector) throws Exception {
    Connection c = client.dial(server.listenAddrs().get(0).withPeerId(server.peerId())).get();
    MuxedStream s =
        client.newStream(c, List.of(KadStreamConfig.PROTOCOL)).get(10, TimeUnit.SECONDS).stream();
    s.setReader(collector);
    return s;
  }

  private static ByteBuf frames(KadMessage... messages) {
    ByteBuf out = Unpooled.buffer();
    for (KadMessage m : messages) {
      CODEC.encodeDelimited(m, out);
    }
    return out;
  }

  private static List<KadMessage> decodeAll(byte[] bytes) throws MalformedFrameException {
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    List<KadMessage> out = new ArrayList<>();
    while (in.isReadable()) {
      int len = CODEC.readLength(in);
      out.add(CODEC.decode(in.readSlice(len)));
    }
    return out;
  }

  private static Throwable cause(CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    return f.handle(
            (v, e) -> e instanceof java.util.concurrent.CompletionException ? e.getCause() : e)
        .join();
  }

  @Test
  void request_findNode_dialsTheServerAndGetsItsClosestPeers() throws Exception {
    serve(KadStreamConfig.defaults());
    KadPeer known = new KadPeer(somePeer(), List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")));
    dht.addPeer(known);

    KadMessage answer = ask(KadMessage.request(KadMessageType.FIND_NODE, somePeer().toBytes()));

    assertThat(answer.type()).isEqualTo(KadMessageType.FIND_NODE);
    assertThat(answer.closerPeers()).containsExactly(KadPeerInfo.of(known.id(), known.addrs()));
    assertThat(client.connections(server.peerId())).hasSize(1);
    assertThat(inbound.count(KadInboundCounter.SERVED)).isEqualTo(1);
  }

  @Test
  void request_addProviderThenGetProviders_recordStoredWithoutAnAnswer() throws Exception {
    serve(KadStreamConfig.defaults());
    KadPeerInfo self = KadPeerInfo.of(client.peerId(), client.listenAddrs());
    KadMessage add =
        new KadMessage(KadMessageType.ADD_PROVIDER, CID_KEY, null, List.of(), List.of(self));

    KadMessage none = kad.request(client, serverPeer(), add, false, WAIT).get(20, TimeUnit.SECONDS);
    KadMessage answer = ask(KadMessage.request(KadMessageType.GET_PROVIDERS, CID_KEY));

    assertThat(none).isNull();
    assertThat(answer.providerPeers()).containsExactly(self);
    assertThat(dht.providers(CID_KEY)).extracting(KadPeer::id).containsExactly(client.peerId());
  }

  @Test
  void oneStream_severalRequests_answeredInOrderThenClosed() throws Exception {
    serve(KadStreamConfig.defaults());
    TestReader collector = new TestReader();
    MuxedStream s = rawStream(collector);

    s.write(
        frames(
            KadMessage.request(KadMessageType.FIND_NODE, somePeer().toBytes()),
            KadMessage.request(KadMessageType.GET_PROVIDERS, CID_KEY),
            KadMessage.request(KadMessageType.PING, new byte[0])));
    s.closeWrite();

    List<KadMessage> answers = decodeAll(collector.done.get(20, TimeUnit.SECONDS));
    assertThat(answers)
        .extracting(KadMessage::type)
        .containsExactly(
            KadMessageType.FIND_NODE, KadMessageType.GET_PROVIDERS, KadMessageType.PING);
    assertThat(inbound.count(KadInboundCounter.SERVED)).isEqualTo(3);
  }

  @Test
  void inbound_oversizeFrame_resetBeforeBufferingCountedAsPeerFault() throws Exception {
    serve(KadStreamConfig.defaults());
    TestReader collector = new TestReader();
    MuxedStream s = rawStream(collector);
    ByteBuf prefix = Unpooled.buffer();
    Varint.write(prefix, KadCodec.DEFAULT_MAX_MESSAGE_BYTES + 1);
    s.write(prefix);

    assertThat(cause(collector.done)).hasMessageContaining("reset");
    assertThat(inbound.count(KadInboundCounter.OVERSIZE)).isEqualTo(1);
    assertThat(faults).containsExactly(client.peerId());
    // The peer's other streams are served as before.
    assertThat(ask(KadMessage.request(KadMessageType.PING, new byte[0])).type())
        .isEqualTo(KadMessageType.PING);
  }

  @Test
  void inbound_malformedFrame_resetCountedAndServerKeepsServing() throws Exception {
    serve(KadStreamConfig.defaults());
    TestReader collector = new TestReader();
    MuxedStream s = rawStream(collector);
    ByteBuf garbage = Unpooled.buffer();
    Varint.write(garbage, 3);
    garbage.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    s.write(garbage);

    assertThat(cause(collector.done)).hasMessageContaining("reset");
    assertThat(inbound.count(KadInboundCounter.MALFORMED)).isEqualTo(1);
    assertThat(faults).containsExactly(client.peerId());
    assertThat(ask(KadMessage.request(KadMessageType.GET_PROVIDERS, CID_KEY)).type())
        .isEqualTo(KadMessageType.GET_PROVIDERS);
  }

  @Test
  void inbound_truncatedFrame_resetWhenThePeerCloses() throws Exception {
    serve(KadStreamConfig.defaults());
    TestReader collector = new TestReader();
    MuxedStream s = rawStream(collector);
    ByteBuf half = frames(KadMessage.request(KadMessageType.FIND_NODE, somePeer().toBytes()));
    s.write(half.retainedSlice(0, half.readableBytes() - 5));
    half.release();
    s.closeWrite();

    assertThat(cause(collector.done)).hasMessageContaining("reset");
    assertThat(inbound.count(KadInboundCounter.TRUNCATED)).isEqualTo(1);
  }

  @Test
  void inbound_refusedRequest_resetsTheStream() throws Exception {
    serve(KadStreamConfig.defaults());
    TestReader collector = new TestReader();
    MuxedStream s = rawStream(collector);
    s.write(frames(KadMessage.request(KadMessageType.GET_PROVIDERS, new byte[] {1, 2, 3})));

    assertThat(cause(collector.done)).hasMessageContaining("reset");
    assertThat(inbound.count(KadInboundCounter.REFUSED)).isEqualTo(1);
    assertThat(faults).as("a refusal's blame is the owner's to decide").isEmpty();
  }

  @Test
  void inbound_moreStreamsThanTheLimit_extraOneReset() throws Exception {
    serve(KadStreamConfig.defaults().withMaxInboundStreamsPerConnection(2));
    TestReader first = new TestReader();
    TestReader second = new TestReader();
    TestReader third = new TestReader();
    rawStream(first);
    rawStream(second);
    rawStream(third);

    assertThat(cause(third.done)).hasMessageContaining("reset");
    assertThat(inbound.count(KadInboundCounter.STREAM_LIMIT)).isEqualTo(1);
    assertThat(first.done).isNotDone();
    assertThat(second.done).isNotDone();
  }

  @Test
  void inbound_idleStream_resetAfterTheIdleTimeout() throws Exception {
    serve(KadStreamConfig.defaults().withIdleTimeout(Duration.ofMillis(200)));
    TestReader collector = new TestReader();
    MuxedStream s = rawStream(collector);
    s.write(frames(KadMessage.request(KadMessageType.PING, new byte[0])));

    assertThat(cause(collector.done)).hasMessageContaining("reset");
    assertThat(inbound.count(KadInboundCounter.SERVED)).isEqualTo(1);
    assertThat(inbound.count(KadInboundCounter.IDLE_TIMEOUT)).isEqualTo(1);
    assertThat(inbound.openStreams()).isZero();
  }

  @Test
  void request_peerNeverAnswers_timesOutAndResetsTheStream() throws Exception {
    TestReader silent = new TestReader();
    server.setProtocolHandler(KadStreamConfig.PROTOCOL, (stream, conn) -> stream.setReader(silent));
    CompletableFuture<KadMessage> f =
        kad.request(
            client,
            serverPeer(),
            KadMessage.request(KadMessageType.FIND_NODE, somePeer().toBytes()),
            true,
            Duration.ofMillis(300));

    assertThat(cause(f)).isInstanceOf(TimeoutException.class).hasMessageContaining("FIND_NODE");
    assertThat(cause(silent.done)).hasMessageContaining("reset");
  }

  @Test
  void request_answerOverTheLimit_failsTooLarge() throws Exception {
    answerWith(
        out -> {
          Varint.write(out, KadCodec.DEFAULT_MAX_MESSAGE_BYTES + 1);
        });
    assertThat(failureOf(KadMessageType.FIND_NODE).code()).isEqualTo(FrameError.TOO_LARGE);
  }

  @Test
  void request_answerOfAnotherType_failsProtocolViolation() throws Exception {
    answerWith(
        out -> CODEC.encodeDelimited(KadMessage.request(KadMessageType.PING, new byte[0]), out));
    assertThat(failureOf(KadMessageType.FIND_NODE).code()).isEqualTo(FrameError.PROTOCOL_VIOLATION);
  }

  @Test
  void request_peerClosesWithoutAnAnswer_failsTruncated() throws Exception {
    answerWith(out -> out.writeByte(20));
    assertThat(failureOf(KadMessageType.FIND_NODE).code()).isEqualTo(FrameError.TRUNCATED);
  }

  @Test
  void request_unknownPeerWithoutAddresses_failsDialException() {
    CompletableFuture<KadMessage> f =
        kad.request(
            client,
            KadPeer.of(somePeer()),
            KadMessage.request(KadMessageType.PING, new byte[0]),
            true,
            WAIT);
    assertThat(cause(f)).isInstanceOf(DialException.class).hasMessageContaining("TCP address");
  }

  @Test
  void request_peerWithoutTheProtocol_failsDialException() {
    CompletableFuture<KadMessage> f =
        kad.request(
            client, serverPeer(), KadMessage.request(KadMessageType.PING, new byte[0]), true, WAIT);
    assertThat(cause(f)).isInstanceOf(DialException.class).hasMessageContaining("accepted none");
  }

  /** The server reads the request and answers with {@code bytes}, then closes its side. */
  private void answerWith(java.util.function.Consumer<ByteBuf> bytes) {
    server.setProtocolHandler(
        KadStreamConfig.PROTOCOL,
        (stream, conn) ->
            stream.setReader(
                new TestReader(
                    (st, data) -> {
                      data.release();
                      ByteBuf out = Unpooled.buffer();
                      bytes.accept(out);
                      st.write(out);
                      st.closeWrite();
                    })));
  }

  private MalformedFrameException failureOf(KadMessageType type) {
    CompletableFuture<KadMessage> f =
        kad.request(
            client, serverPeer(), KadMessage.request(type, somePeer().toBytes()), true, WAIT);
    Throwable t = cause(f);
    assertThat(t).isInstanceOf(MalformedFrameException.class);
    return (MalformedFrameException) t;
  }
}
