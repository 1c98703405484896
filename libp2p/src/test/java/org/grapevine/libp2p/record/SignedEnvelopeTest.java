package org.grapevine.libp2p.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.proto.circuit.Envelope;
import org.junit.jupiter.api.Test;

class SignedEnvelopeTest {
  private static final PrivKey KEY = PrivKey.fromSeed(new byte[32]);
  private static final byte[] TYPE = {0x03, 0x02};
  private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

  @Test
  void seal_thenOpen_givesSignerAndPayload() throws Exception {
    SignedEnvelope e = SignedEnvelope.open(SignedEnvelope.seal(KEY, "d", TYPE, PAYLOAD), "d", TYPE);
    assertThat(e.signer()).isEqualTo(KEY.publicKey());
    assertThat(e.payload()).isEqualTo(PAYLOAD);
    assertThat(e.payloadType()).isEqualTo(TYPE);
  }

  @Test
  void signedBytes_followRfc0002Layout() {
    // uvarint(1) "d" uvarint(2) 03 02 uvarint(1) "x"
    assertThat(SignedEnvelope.signedBytes("d", TYPE, new byte[] {'x'}))
        .containsExactly(1, 'd', 2, 3, 2, 1, 'x');
  }

  @Test
  void open_otherDomain_badSignature() {
    byte[] sealed = SignedEnvelope.seal(KEY, "libp2p-peer-record", TYPE, PAYLOAD);
    assertCode(
        () -> SignedEnvelope.open(sealed, "libp2p-relay-rsvp", TYPE), FrameError.BAD_SIGNATURE);
  }

  @Test
  void open_tamperedPayload_badSignature() throws Exception {
    Envelope e = Envelope.parseFrom(SignedEnvelope.seal(KEY, "d", TYPE, PAYLOAD));
    byte[] tampered =
        e.toBuilder().setPayload(ByteString.copyFromUtf8("paylOad")).build().toByteArray();
    assertCode(() -> SignedEnvelope.open(tampered, "d", TYPE), FrameError.BAD_SIGNATURE);
  }

  @Test
  void open_otherPayloadType_unsupported() {
    byte[] sealed = SignedEnvelope.seal(KEY, "d", new byte[] {0x03, 0x01}, PAYLOAD);
    assertCode(() -> SignedEnvelope.open(sealed, "d", TYPE), FrameError.UNSUPPORTED);
  }

  @Test
  void open_oversize_tooLarge_andMissingKey_missingField() {
    assertCode(() -> SignedEnvelope.open(new byte[4097], "d", TYPE), FrameError.TOO_LARGE);
    byte[] noKey =
        Envelope.newBuilder().setPayload(ByteString.copyFromUtf8("x")).build().toByteArray();
    assertCode(() -> SignedEnvelope.open(noKey, "d", TYPE), FrameError.MISSING_FIELD);
  }

  @Property(tries = 500)
  void open_randomBytes_failTyped(@ForAll @Size(max = 200) byte[] bytes) {
    assertThatThrownBy(() -> SignedEnvelope.open(bytes, "d", TYPE))
        .isInstanceOf(MalformedFrameException.class);
  }

  private interface Open {
    void run() throws MalformedFrameException;
  }

  private static void assertCode(Open o, FrameError code) {
    assertThatThrownBy(o::run)
        .isInstanceOfSatisfying(
            MalformedFrameException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
