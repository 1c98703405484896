package org.grapevine.libp2p.identify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.crypto.RsaTestKeys;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.mux.MemoryStreamPair;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

class IdentifyProtocolTest {
  private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
  private static final PrivKey SERVER = PrivKey.fromSeed(new byte[32]);
  private static final PrivKey CLIENT = PrivKey.fromSeed(filled(7));
  private static final PeerId SERVER_ID = PeerId.fromPubKey(SERVER.publicKey());
  private static final PeerId CLIENT_ID = PeerId.fromPubKey(CLIENT.publicKey());
  private final IdentifyInfo info =
      new IdentifyInfo(
          IdentifyProtocol.PROTOCOL_VERSION,
          "grapevine/test",
          SERVER.publicKey(),
          List.of(new byte[] {4, 127, 0, 0, 1, 6, 0x0f, (byte) 0xa1}),
          List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"));

  @Test
  void request_againstResponder_returnsWhatWasAdvertised() throws Exception {
    MemoryStreamPair pair = new MemoryStreamPair();
    CompletableFuture<IdentifyResult> result =
        IdentifyProtocol.read(pair.a, SERVER_ID, CLIENT_ID, ALLOC);
    IdentifyProtocol.respond(pair.b, info, new byte[] {4, 10, 0, 0, 1}, ALLOC);
    IdentifyResult r = result.get();
    assertThat(r.peer()).isEqualTo(SERVER_ID);
    assertThat(r.agentVersion()).isEqualTo("grapevine/test");
    assertThat(r.protocols()).containsExactly("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
    assertThat(r.listenAddrs()).hasSize(1);
    assertThat(r.listenAddrs().get(0)).isEqualTo(info.listenAddrs().get(0));
    assertThat(r.observedAddr()).containsExactly(4, 10, 0, 0, 1);
    assertThat(pair.b.writeClosed).isTrue();
  }

  @Test
  void request_rsaPeer_itsKeyAndQmIdAccepted() throws Exception {
    PubKey rsa = RsaTestKeys.pubKey(RsaTestKeys.shared2048());
    PeerId rsaId = PeerId.fromPubKey(rsa);
    IdentifyInfo rsaInfo =
        new IdentifyInfo("ipfs/0.1.0", "js", rsa, List.of(), List.of("/ipfs/id/1.0.0"));
    MemoryStreamPair pair = new MemoryStreamPair();
    CompletableFuture<IdentifyResult> result =
        IdentifyProtocol.read(pair.a, rsaId, CLIENT_ID, ALLOC);
    IdentifyProtocol.respond(pair.b, rsaInfo, new byte[0], ALLOC);
    IdentifyResult r = result.get();
    assertThat(r.peer()).isEqualTo(rsaId);
    assertThat(r.peer().toBase58()).startsWith("Qm");
    assertThat(r.publicKey()).isEqualTo(rsa);
  }

  @Test
  void request_keyOfAnotherPeer_refused() {
    MemoryStreamPair pair = new MemoryStreamPair();
    PeerId someoneElse = PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
    CompletableFuture<IdentifyResult> result =
        IdentifyProtocol.read(pair.a, someoneElse, CLIENT_ID, ALLOC);
    IdentifyProtocol.respond(pair.b, info, new byte[0], ALLOC);
    assertThatThrownBy(result::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("not to the connection's peer");
  }

  @Test
  void request_oversizeLength_refusedBeforeBuffering() {
    MemoryStreamPair pair = new MemoryStreamPair();
    CompletableFuture<IdentifyResult> result =
        IdentifyProtocol.read(pair.a, SERVER_ID, CLIENT_ID, ALLOC);
    pair.b.write(
        ALLOC.buffer().writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, 0x01})); // 16384 > 8 KiB
    assertThat(result).isCompletedExceptionally();
    assertThat(pair.a.wasReset).isTrue();
  }

  @Test
  void request_peerClosesEarly_fails() {
    MemoryStreamPair pair = new MemoryStreamPair();
    CompletableFuture<IdentifyResult> result =
        IdentifyProtocol.read(pair.a, SERVER_ID, CLIENT_ID, ALLOC);
    pair.b.write(ALLOC.buffer().writeBytes(new byte[] {10, 1, 2}));
    pair.b.closeWrite();
    assertThat(result).isCompletedExceptionally();
  }

  @Property(tries = 500)
  void decode_anyBytes_resultOrTypedError(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      IdentifyCodec.decode(bytes, SERVER_ID, CLIENT_ID);
    } catch (MalformedFrameException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Test
  void frame_roundTripsThroughDelimitedReader() throws Exception {
    try (DelimitedReader reader = new DelimitedReader(ALLOC, 100)) {
      var framed = DelimitedReader.frame(ALLOC, new byte[] {1, 2, 3});
      var half = framed.readRetainedSlice(2);
      assertThat(reader.feed(half)).isEmpty();
      assertThat(reader.feed(framed))
          .singleElement()
          .satisfies(m -> assertThat(m).containsExactly(1, 2, 3));
    }
  }

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }
}
