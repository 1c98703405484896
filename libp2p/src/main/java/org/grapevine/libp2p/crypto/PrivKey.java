package org.grapevine.libp2p.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A node's Ed25519 identity key (its peer ID's key). Signs Noise static keys, pubsub messages and
 * records. Holds secret material: no {@code toString} of it.
 *
 * <p>Protobuf PrivateKey form (peer-ids spec): {@code 08 01 12 40 <seed 32> <public 32>}; the
 * legacy 96-byte data form (seed, public, public) is accepted when both public copies agree.
 */
public final class PrivKey {
  private final byte[] seed;
  private final PubKey publicKey;
  private final byte[] publicRaw;

  private PrivKey(byte[] seed) {
    this.seed = seed.clone();
    this.publicRaw = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(this.seed, 0, publicRaw, 0);
    this.publicKey = PubKey.ed25519(publicRaw);
  }

  public static PrivKey fromSeed(byte[] seed) {
    if (seed.length != Ed25519.SECRET_KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, got " + seed.length);
    }
    return new PrivKey(seed);
  }

  public static PrivKey generate(SecureRandom random) {
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    random.nextBytes(seed);
    return new PrivKey(seed);
  }

  /**
   * Decodes the protobuf PrivateKey form (as written by js-libp2p and go-libp2p key files).
   *
   * @throws PrivKeyFormatException for bytes that are not such a key: a local file problem
   */
  public static PrivKey decode(byte[] protobuf) throws PrivKeyFormatException {
    org.grapevine.libp2p.proto.PrivateKey pk;
    try {
      pk = org.grapevine.libp2p.proto.PrivateKey.parseFrom(protobuf);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new PrivKeyFormatException(
          PrivKeyFormatException.Problem.MALFORMED,
          "private key does not decode: " + e.getMessage(),
          e);
    }
    if (pk.getType() != org.grapevine.libp2p.proto.KeyType.Ed25519) {
      throw new PrivKeyFormatException(
          PrivKeyFormatException.Problem.UNSUPPORTED_TYPE,
          "unsupported private key type " + pk.getType());
    }
    byte[] data = pk.getData().toByteArray();
    if (data.length != 64 && data.length != 96) {
      throw new PrivKeyFormatException(
          PrivKeyFormatException.Problem.BAD_LENGTH,
          "Ed25519 private key data of " + data.length + " bytes, expected 64");
    }
    PrivKey key = fromSeed(Arrays.copyOf(data, 32));
    for (int copy = 32; copy < data.length; copy += 32) {
      if (!Arrays.equals(Arrays.copyOfRange(data, copy, copy + 32), key.publicRaw)) {
        throw new PrivKeyFormatException(
            PrivKeyFormatException.Problem.INCONSISTENT,
            "private key data holds a public key that does not match its seed");
      }
    }
    return key;
  }

  /** The protobuf PrivateKey form (64-byte data). */
  public byte[] encode() {
    byte[] out = new byte[4 + 64];
    out[0] = 0x08;
    out[1] = 0x01;
    out[2] = 0x12;
    out[3] = 0x40;
    System.arraycopy(seed, 0, out, 4, 32);
    System.arraycopy(publicRaw, 0, out, 36, 32);
    return out;
  }

  public PubKey publicKey() {
    return publicKey;
  }

  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicRaw, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  @Override
  public String toString() {
    return "PrivKey[" + org.grapevine.libp2p.peer.PeerId.fromPubKey(publicKey) + "]";
  }
}
