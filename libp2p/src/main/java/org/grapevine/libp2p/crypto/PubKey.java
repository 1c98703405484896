package org.grapevine.libp2p.crypto;

import com.google.protobuf.InvalidProtocolBufferException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.proto.KeyType;
import org.grapevine.libp2p.proto.PublicKey;

/**
 * A peer's public identity key: Ed25519 (ours, and most peers') or RSA (older peers, such as four
 * of the public Amino bootstrap peers). Remote keys of either type are verified; our own key is
 * always Ed25519 ({@link PrivKey}). Secp256k1 and ECDSA keys decode to a clear {@link
 * MalformedFrameException} ({@link FrameError#UNSUPPORTED}); the peer-ids spec makes them optional.
 *
 * <p>Deterministic protobuf forms (peer-ids spec), as hashed into peer IDs and sent in handshakes:
 *
 * <pre>
 *   Ed25519: 08 01 12 20 &lt;32-byte key&gt;
 *   RSA:     08 00 12 &lt;varint length&gt; &lt;DER SubjectPublicKeyInfo, as received&gt;
 * </pre>
 *
 * The RSA rules (size, DER, 2048 to 8192 bits) are in {@link RsaKeys}; an RSA key is parsed once,
 * when decoded.
 */
public final class PubKey {
  /** The key types this class can hold. */
  public enum Type {
    ED25519,
    RSA
  }

  public static final int ED25519_KEY_BYTES = 32;
  private static final byte[] ED25519_PREFIX = {0x08, 0x01, 0x12, 0x20};

  /**
   * The longest PublicKey protobuf read: the largest RSA key ({@link RsaKeys#MAX_DER_BYTES}) and
   * its 5 bytes of framing (two tags, the type, a two-byte length). Checked before parsing.
   */
  public static final int MAX_PROTOBUF_BYTES = RsaKeys.MAX_DER_BYTES + 5;

  private final Type type;
  private final byte[] data;
  private final RSAPublicKey rsa; // the parsed form of data for RSA, null for Ed25519

  private PubKey(Type type, byte[] data, RSAPublicKey rsa) {
    this.type = type;
    this.data = data;
    this.rsa = rsa;
  }

  /** An Ed25519 public key from its 32 raw bytes. */
  public static PubKey ed25519(byte[] raw) {
    if (raw.length != ED25519_KEY_BYTES) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, got " + raw.length);
    }
    return new PubKey(Type.ED25519, raw.clone(), null);
  }

  /**
   * An RSA public key from a peer's DER SubjectPublicKeyInfo, checked by the rules of {@link
   * RsaKeys}.
   *
   * @throws MalformedFrameException with {@link FrameError#TOO_LARGE}, {@link
   *     FrameError#BAD_ENCODING} or {@link FrameError#WEAK_KEY}: the peer's fault
   */
  public static PubKey rsa(byte[] der) throws MalformedFrameException {
    byte[] copy = der.clone();
    return new PubKey(Type.RSA, copy, RsaKeys.parse(copy));
  }

  /** Decodes the protobuf PublicKey form sent by a peer (at most {@link #MAX_PROTOBUF_BYTES}). */
  public static PubKey decode(byte[] protobuf) throws MalformedFrameException {
    if (protobuf.length > MAX_PROTOBUF_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "public key of " + protobuf.length + " bytes, at most " + MAX_PROTOBUF_BYTES);
    }
    PublicKey pk;
    try {
      pk = PublicKey.parseFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "public key does not decode: " + e.getMessage(), e);
    }
    if (pk.getType() == KeyType.RSA) {
      return rsa(pk.getData().toByteArray());
    }
    if (pk.getType() != KeyType.Ed25519) {
      throw new MalformedFrameException(
          FrameError.UNSUPPORTED,
          "unsupported key type " + pk.getType() + " (only Ed25519 and RSA are supported)");
    }
    if (pk.getData().size() != ED25519_KEY_BYTES) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "Ed25519 public key of " + pk.getData().size() + " bytes");
    }
    return new PubKey(Type.ED25519, pk.getData().toByteArray(), null);
  }

  public Type type() {
    return type;
  }

  /** The deterministic protobuf encoding, as hashed into peer IDs and sent in handshakes. */
  public byte[] encode() {
    if (type == Type.ED25519) {
      byte[] out = Arrays.copyOf(ED25519_PREFIX, ED25519_PREFIX.length + data.length);
      System.arraycopy(data, 0, out, ED25519_PREFIX.length, data.length);
      return out;
    }
    byte[] length = Varint.encode(data.length);
    byte[] out = new byte[3 + length.length + data.length];
    out[0] = 0x08; // field 1 (Type), varint
    out[1] = 0x00; // RSA
    out[2] = 0x12; // field 2 (Data), length-delimited
    System.arraycopy(length, 0, out, 3, length.length);
    System.arraycopy(data, 0, out, 3 + length.length, data.length);
    return out;
  }

  /**
   * The key's Data field: the 32 raw key bytes for Ed25519, the DER SubjectPublicKeyInfo for RSA.
   * Callers that need raw Ed25519 bytes check {@link #type()} first.
   */
  public byte[] raw() {
    return data.clone();
  }

  /**
   * Whether {@code signature} signs {@code message} under this key; false, never an exception, for
   * garbage.
   *
   * <p>Ed25519: the key is decompressed and fully validated (a point of prime order) once per key
   * and cached: pubsub verifies many messages from the same authors, and decompression is about a
   * tenth of a verify. Every key gets the same full validation, cached or not.
   *
   * <p>RSA: RSASSA-PKCS1-v1_5 with SHA-256 ({@link RsaKeys#verify}).
   */
  public boolean verify(byte[] message, byte[] signature) {
    if (type == Type.RSA) {
      return RsaKeys.verify(rsa, message, signature);
    }
    if (signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    Ed25519.PublicPoint point = POINTS.get(this);
    if (point == null) {
      point = Ed25519.validatePublicKeyFullExport(data, 0);
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
  private static final ConcurrentHashMap<PubKey, Ed25519.PublicPoint> POINTS =
      new ConcurrentHashMap<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof PubKey other && type == other.type && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data); // Equal data of two types is impossible (32 vs 270+ bytes).
  }

  @Override
  public String toString() {
    return type == Type.ED25519
        ? "PubKey[Ed25519]"
        : "PubKey[RSA-" + rsa.getModulus().bitLength() + "]";
  }
}
