package org.grapevine.libp2p.peer;

import java.util.Arrays;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.encoding.Base32;
import org.grapevine.libp2p.encoding.Base58;
import org.grapevine.libp2p.encoding.Varint;

/**
 * A peer ID (peer-ids spec): the multihash of a peer's protobuf-encoded public key. Keys of at most
 * 42 bytes (Ed25519) use the identity multihash, so the key can be read back from the ID; longer
 * ones (RSA) the sha2-256 multihash, so the key must come from elsewhere (the Noise handshake,
 * identify, a pubsub message's {@code key} field, a {@code /pk/} record).
 *
 * <p>Text forms: base58btc of the multihash (the display form, {@code 12D3KooW...}), and CIDv1 with
 * the libp2p-key codec in multibase base32 ({@code bafz...}). {@link #parse} takes both.
 */
public final class PeerId implements Comparable<PeerId> {
  private static final int IDENTITY_MULTIHASH = 0x00;
  private static final int SHA2_256_MULTIHASH = 0x12;
  private static final int MAX_INLINE_KEY_BYTES = 42;
  private static final int CID_V1 = 0x01;
  private static final int LIBP2P_KEY_CODEC = 0x72;

  /** Longest multihash accepted: an identity multihash of the largest inlined key. */
  private static final int MAX_MULTIHASH_BYTES = 2 + MAX_INLINE_KEY_BYTES;

  private final byte[] multihash;

  /** Peer IDs key most maps of the DHT and the router: hashed once, not on every lookup. */
  private final int hash;

  private PeerId(byte[] multihash) {
    this.multihash = multihash;
    this.hash = Arrays.hashCode(multihash);
  }

  /**
   * The peer ID of {@code key}: the identity multihash of its protobuf form when that is at most 42
   * bytes (every Ed25519 key), else the sha2-256 multihash (every RSA key: {@code Qm...}).
   */
  public static PeerId fromPubKey(PubKey key) {
    byte[] encoded = key.encode();
    boolean inline = encoded.length <= MAX_INLINE_KEY_BYTES;
    byte[] digest = inline ? encoded : sha256(encoded);
    byte[] mh = new byte[2 + digest.length];
    mh[0] = (byte) (inline ? IDENTITY_MULTIHASH : SHA2_256_MULTIHASH);
    mh[1] = (byte) digest.length;
    System.arraycopy(digest, 0, mh, 2, digest.length);
    return new PeerId(mh);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** A peer ID from its multihash bytes, as carried in multiaddrs and pubsub messages. */
  public static PeerId fromBytes(byte[] multihash) throws MalformedFrameException {
    if (multihash.length < 2 || multihash.length > MAX_MULTIHASH_BYTES) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "peer ID multihash of " + multihash.length + " bytes");
    }
    int code = multihash[0] & 0xff;
    int len = multihash[1] & 0xff;
    if (len + 2 != multihash.length) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING,
          "peer ID multihash length "
              + len
              + " does not match its "
              + (multihash.length - 2)
              + " bytes");
    }
    if (code == IDENTITY_MULTIHASH) {
      PubKey.decode(
          Arrays.copyOfRange(multihash, 2, multihash.length)); // Must hold a key we can read.
    } else if (code != SHA2_256_MULTIHASH || len != 32) {
      throw new MalformedFrameException(
          FrameError.UNSUPPORTED,
          "peer ID uses multihash 0x" + Integer.toHexString(code) + " of length " + len);
    }
    return new PeerId(multihash.clone());
  }

  /**
   * Parses the base58btc form or the CIDv1 form.
   *
   * @throws PeerIdFormatException if {@code text} is not a peer ID (the caller's input)
   */
  public static PeerId parse(String text) {
    try {
      return parseText(text);
    } catch (MalformedFrameException e) {
      throw new PeerIdFormatException(e.code(), e.getMessage());
    }
  }

  private static PeerId parseText(String text) throws MalformedFrameException {
    if (text.startsWith("1") || text.startsWith("Qm")) {
      try {
        return fromBytes(Base58.decode(text));
      } catch (IllegalArgumentException e) {
        throw new MalformedFrameException(
            FrameError.BAD_ENCODING, "not a peer ID: " + e.getMessage());
      }
    }
    if (text.startsWith("b") || text.startsWith("B")) {
      byte[] cid;
      try {
        cid = Base32.decode(text.substring(1));
      } catch (IllegalArgumentException e) {
        throw new MalformedFrameException(
            FrameError.BAD_ENCODING, "not a peer ID: " + e.getMessage());
      }
      long[] version = Varint.decode(cid, 0, Integer.MAX_VALUE);
      long[] codec = Varint.decode(cid, (int) version[1], Integer.MAX_VALUE);
      if (version[0] != CID_V1 || codec[0] != LIBP2P_KEY_CODEC) {
        throw new MalformedFrameException(
            FrameError.BAD_ENCODING,
            "not a peer ID: a CID with version "
                + version[0]
                + " and codec 0x"
                + Long.toHexString(codec[0]));
      }
      return fromBytes(Arrays.copyOfRange(cid, (int) (version[1] + codec[1]), cid.length));
    }
    throw new MalformedFrameException(
        FrameError.BAD_ENCODING,
        "not a peer ID: \"" + abbreviate(text) + "\" (expected 12D3KooW..., Qm... or bafz...)");
  }

  /**
   * The public key, for identity-multihash IDs (every Ed25519 ID); empty for sha2-256 (RSA) IDs.
   */
  public java.util.Optional<PubKey> pubKey() {
    if ((multihash[0] & 0xff) != IDENTITY_MULTIHASH) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(
          PubKey.decode(Arrays.copyOfRange(multihash, 2, multihash.length)));
    } catch (MalformedFrameException e) {
      throw new IllegalStateException("checked when constructed", e);
    }
  }

  public byte[] toBytes() {
    return multihash.clone();
  }

  public String toBase58() {
    return Base58.encode(multihash);
  }

  public String toCid() {
    byte[] cid = new byte[2 + multihash.length];
    cid[0] = CID_V1;
    cid[1] = LIBP2P_KEY_CODEC;
    System.arraycopy(multihash, 0, cid, 2, multihash.length);
    return "b" + Base32.encode(cid);
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId other && Arrays.equals(multihash, other.multihash);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(PeerId other) {
    return Arrays.compareUnsigned(multihash, other.multihash);
  }

  /** The base58btc form. */
  @Override
  public String toString() {
    return toBase58();
  }
}
