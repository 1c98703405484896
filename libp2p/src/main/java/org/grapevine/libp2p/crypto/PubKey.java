package org.grapevine.libp2p.crypto;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.proto.KeyType;
import org.grapevine.libp2p.proto.PublicKey;

/**
 * A peer's public identity key. Only Ed25519 is supported (the key type every implementation must
 * support); other types decode to a clear {@link MalformedFrameException}.
 *
 * <p>Protobuf form (peer-ids spec, deterministic): {@code 08 01 12 20 <32-byte key>}.
 */
public final class PubKey {
  public static final int ED25519_KEY_BYTES = 32;
  private static final byte[] ED25519_PREFIX = {0x08, 0x01, 0x12, 0x20};

  private final byte[] raw;

  private PubKey(byte[] raw) {
    this.raw = raw;
  }

  /** An Ed25519 public key from its 32 raw bytes. */
  public static PubKey ed25519(byte[] raw) {
    if (raw.length != ED25519_KEY_BYTES) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, got " + raw.length);
    }
    return new PubKey(raw.clone());
  }

  /** Decodes the protobuf PublicKey form sent by a peer. */
  public static PubKey decode(byte[] protobuf) throws MalformedFrameException {
    PublicKey pk;
    try {
      pk = PublicKey.parseFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "public key does not decode: " + e.getMessage(), e);
    }
    if (pk.getType() != KeyType.Ed25519) {
      throw new MalformedFrameException(
          FrameError.UNSUPPORTED,
          "unsupported key type " + pk.getType() + " (only Ed25519 is supported)");
    }
    if (pk.getData().size() != ED25519_KEY_BYTES) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "Ed25519 public key of " + pk.getData().size() + " bytes");
    }
    return new PubKey(pk.getData().toByteArray());
  }

  /** The deterministic protobuf encoding, as hashed into peer IDs and sent in handshakes. */
  public byte[] encode() {
    byte[] out = Arrays.copyOf(ED25519_PREFIX, ED25519_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, out, ED25519_PREFIX.length, raw.length);
    return out;
  }

  /** The 32 raw key bytes. */
  public byte[] raw() {
    return raw.clone();
  }

  /**
   * Whether {@code signature} signs {@code message} under this key; false, never an exception, for
   * garbage. The key is decompressed and fully validated (a point of prime order) once per key and
   * cached: pubsub verifies many messages from the same authors, and decompression is about a tenth
   * of a verify. Every key gets the same full validation, cached or not.
   */
  public boolean verify(byte[] message, byte[] signature) {
    if (signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    Ed25519.PublicPoint point = POINTS.get(this);
    if (point == null) {
      point = Ed25519.validatePublicKeyFullExport(raw, 0);
      if (point == null) {
        return false;
      }
      if (POINTS.size() >= MAX_CACHED_POINTS) {
        POINTS.clear(); // Costs only re-decompression; bounds memory against key churn.
      }
      POINTS.put(this, point);
    }
    return Ed25519.verify(signature, 0, point, message, 0, message.length);
  }

  private static final int MAX_CACHED_POINTS = 8192;
  private static final java.util.concurrent.ConcurrentHashMap<PubKey, Ed25519.PublicPoint> POINTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof PubKey other && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }
}
