package org.grapevine.libp2p.kad;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.KeyType;
import org.grapevine.libp2p.proto.PublicKey;

/**
 * The {@code /pk/} record namespace (kad-dht/README.md "Value routing"): key {@code /pk/} followed
 * by a peer ID's binary multihash, value that peer's public key in the libp2p {@code PublicKey}
 * protobuf. Valid when the value is such a protobuf and the peer ID derived from it is the key's
 * suffix. RSA keys (the reason the namespace exists: their peer IDs are hashes) and Ed25519 keys
 * must also be keys we accept ({@link PubKey#decode}: DER, 2048 to 8192 bits), and their ID is
 * derived from their canonical re-encoding, as go does; Secp256k1 and ECDSA keys, which we cannot
 * verify, are checked for shape only and hashed as received. The spec says "{@code SHA256(value) ==
 * peerID}"; the peer-ids spec inlines keys of at most 42 bytes with the identity multihash instead,
 * and go and js validate the same way as here.
 *
 * <p>Self-certifying: a key has exactly one valid value, so there is nothing to select between and
 * a GET_VALUE may stop at the first valid record (the spec's quorum {@code Q} gains nothing).
 */
public final class PkRecords {
  /** The namespace prefix, as bytes. */
  private static final byte[] PREFIX = "/pk/".getBytes(StandardCharsets.US_ASCII);

  /**
   * The longest value accepted: an RSA-8192 key's protobuf, the largest any implementation accepts,
   * is 1067 bytes ({@link PubKey#MAX_PROTOBUF_BYTES}); this leaves room for other key types.
   */
  public static final int MAX_VALUE_BYTES = 2048;

  private static final int IDENTITY_MULTIHASH = 0x00;
  private static final int SHA2_256_MULTIHASH = 0x12;
  private static final int MAX_INLINE_KEY_BYTES = 42;

  /** Why a record was not valid. */
  public enum Validity {
    VALID,
    /** The key is not in the {@code /pk/} namespace: we validate no other (counted, refused). */
    UNSUPPORTED_NAMESPACE,
    /**
     * The value is empty, too long, not a PublicKey protobuf of a known key type, or an RSA or
     * Ed25519 key we would refuse in a handshake.
     */
    BAD_VALUE,
    /** The peer ID derived from the value is not the key's suffix. */
    MISMATCH,
  }

  private PkRecords() {}

  /** {@code /pk/} followed by {@code peer}'s multihash bytes. */
  public static byte[] key(PeerId peer) {
    byte[] id = peer.toBytes();
    byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + id.length);
    System.arraycopy(id, 0, key, PREFIX.length, id.length);
    return key;
  }

  public static boolean isPkKey(byte[] key) {
    return key.length > PREFIX.length
        && Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
  }

  /** Validates {@code value} for {@code key}: 1. namespace, 2. value shape, 3. derived ID. */
  public static Validity validate(byte[] key, byte[] value) {
    // 1. namespace
    if (!isPkKey(key)) {
      return Validity.UNSUPPORTED_NAMESPACE;
    }
    // 2. a public key protobuf of a known type, bounded
    if (value.length == 0 || value.length > MAX_VALUE_BYTES) {
      return Validity.BAD_VALUE;
    }
    PublicKey pk;
    try {
      // proto2 with required fields: an unknown key type leaves Type unset and fails to parse.
      pk = PublicKey.parseFrom(value);
      if (pk.getData().isEmpty()) {
        return Validity.BAD_VALUE;
      }
    } catch (InvalidProtocolBufferException e) {
      return Validity.BAD_VALUE;
    }
    byte[] derived;
    if (pk.getType() == KeyType.RSA || pk.getType() == KeyType.Ed25519) {
      try {
        derived = PeerId.fromPubKey(PubKey.decode(value)).toBytes();
      } catch (MalformedFrameException e) {
        return Validity.BAD_VALUE;
      }
    } else {
      derived = peerIdBytes(value);
    }
    // 3. the peer ID of the value is the key's suffix
    byte[] suffix = Arrays.copyOfRange(key, PREFIX.length, key.length);
    return Arrays.equals(suffix, derived) ? Validity.VALID : Validity.MISMATCH;
  }

  /**
   * The peer-ids spec's ID of the protobuf bytes as they are: identity multihash for at most 42
   * bytes, else sha2-256 (for key types we do not parse).
   */
  static byte[] peerIdBytes(byte[] publicKeyProtobuf) {
    boolean inline = publicKeyProtobuf.length <= MAX_INLINE_KEY_BYTES;
    byte[] digest = inline ? publicKeyProtobuf : sha256(publicKeyProtobuf);
    byte[] mh = new byte[2 + digest.length];
    mh[0] = (byte) (inline ? IDENTITY_MULTIHASH : SHA2_256_MULTIHASH);
    mh[1] = (byte) digest.length;
    System.arraycopy(digest, 0, mh, 2, digest.length);
    return mh;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
