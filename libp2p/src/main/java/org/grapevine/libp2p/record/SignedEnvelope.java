package org.grapevine.libp2p.record;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.proto.circuit.Envelope;

/**
 * A signed envelope (libp2p/specs RFC/0002-signed-envelopes.md): a payload, its type, and the
 * signer's public key and signature. The signature covers
 *
 * <pre>
 *   uvarint(len(domain)) || domain || uvarint(len(payload_type)) || payload_type
 *     || uvarint(len(payload)) || payload
 * </pre>
 *
 * where the domain is a string both sides know and that never travels (it keeps a signature made
 * for one purpose from being replayed for another). Wire form ({@code Envelope} in circuit.proto):
 *
 * <pre>
 *   1: public_key (libp2p PublicKey protobuf)  2: payload_type  3: payload  5: signature
 * </pre>
 *
 * <p>{@link #open} checks, in order: 1. size ({@link #MAX_BYTES}); 2. protobuf; 3. the public key
 * (our decoder and its limits); 4. the payload type expected; 5. the signature. Each failure is a
 * {@link MalformedFrameException} with its code (the sender is at fault).
 *
 * <p>Accessors: {@code signer} (the key that signed), {@code payloadType} (the payload's multicodec
 * as raw bytes, e.g. {@code 03 02}), {@code payload}.
 */
public final class SignedEnvelope {
  /** Enough for an RSA-8192 key and a few hundred bytes of payload; vouchers are ~150 bytes. */
  public static final int MAX_BYTES = 4096;

  private final PubKey signer;
  private final byte[] payloadType;
  private final byte[] payload;

  private SignedEnvelope(PubKey signer, byte[] payloadType, byte[] payload) {
    this.signer = signer;
    this.payloadType = payloadType;
    this.payload = payload;
  }

  public PubKey signer() {
    return signer;
  }

  public byte[] payloadType() {
    return payloadType.clone();
  }

  public byte[] payload() {
    return payload.clone();
  }

  /** Signs {@code payload} with {@code key} for {@code domain} and returns the envelope's bytes. */
  public static byte[] seal(PrivKey key, String domain, byte[] payloadType, byte[] payload) {
    byte[] signature = key.sign(signedBytes(domain, payloadType, payload));
    return Envelope.newBuilder()
        .setPublicKey(ByteString.copyFrom(key.publicKey().encode()))
        .setPayloadType(ByteString.copyFrom(payloadType))
        .setPayload(ByteString.copyFrom(payload))
        .setSignature(ByteString.copyFrom(signature))
        .build()
        .toByteArray();
  }

  /**
   * Decodes and verifies an envelope signed for {@code domain} with {@code payloadType}.
   *
   * @throws MalformedFrameException TOO_LARGE, BAD_ENCODING, UNSUPPORTED (another payload type),
   *     BAD_SIGNATURE, or the key decoder's codes
   */
  public static SignedEnvelope open(byte[] bytes, String domain, byte[] payloadType)
      throws MalformedFrameException {
    // 1. size
    if (bytes.length > MAX_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "signed envelope of " + bytes.length + " bytes, at most " + MAX_BYTES);
    }
    // 2. protobuf
    Envelope e;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(MAX_BYTES);
      in.setRecursionLimit(4);
      e = Envelope.parseFrom(in);
    } catch (IOException ex) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "signed envelope does not decode: " + ex.getMessage(), ex);
    }
    // 3. key
    if (e.getPublicKey().isEmpty() || e.getSignature().isEmpty()) {
      throw new MalformedFrameException(
          FrameError.MISSING_FIELD, "signed envelope without a public key or signature");
    }
    PubKey signer = PubKey.decode(e.getPublicKey().toByteArray());
    // 4. payload type
    byte[] type = e.getPayloadType().toByteArray();
    if (!Arrays.equals(type, payloadType)) {
      throw new MalformedFrameException(
          FrameError.UNSUPPORTED,
          "signed envelope of payload type " + hex(type) + ", expected " + hex(payloadType));
    }
    // 5. signature
    byte[] payload = e.getPayload().toByteArray();
    if (!signer.verify(signedBytes(domain, type, payload), e.getSignature().toByteArray())) {
      throw new MalformedFrameException(
          FrameError.BAD_SIGNATURE,
          "signed envelope's signature does not verify for domain " + domain);
    }
    return new SignedEnvelope(signer, type, payload);
  }

  static byte[] signedBytes(String domain, byte[] payloadType, byte[] payload) {
    byte[] d = domain.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(d.length + payload.length + 32);
    for (byte[] part : new byte[][] {d, payloadType, payload}) {
      out.writeBytes(Varint.encode(part.length));
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedEnvelope s
        && signer.equals(s.signer)
        && Arrays.equals(payloadType, s.payloadType)
        && Arrays.equals(payload, s.payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * signer.hashCode() + Arrays.hashCode(payloadType)) + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "SignedEnvelope[" + hex(payloadType) + ", " + payload.length + " bytes]";
  }
}
