package org.grapevine.libp2p.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise SymmetricState (Noise spec rev 34, section 5.2) with SHA-256: the chaining key {@code
 * ck}, the handshake hash {@code h} and a {@link NoiseCipherState}.
 *
 * <p>HKDF here is Noise's (section 4.3), not RFC 5869 with an info string: {@code t = HMAC(ck,
 * ikm)}, {@code o1 = HMAC(t, 01)}, {@code o2 = HMAC(t, o1 || 02)}, {@code o3 = HMAC(t, o2 || 03)}.
 */
final class NoiseSymmetricState {
  static final int HASH_BYTES = 32;

  private byte[] ck;
  private byte[] h;
  private NoiseCipherState cipher = new NoiseCipherState();

  /** InitializeSymmetric: a name of at most 32 bytes is zero-padded into h, a longer one hashed. */
  NoiseSymmetricState(String protocolName) {
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    h = name.length <= HASH_BYTES ? Arrays.copyOf(name, HASH_BYTES) : sha256(name);
    ck = h.clone();
  }

  void mixKey(byte[] inputKeyMaterial) {
    byte[][] out = hkdf(ck, inputKeyMaterial, 2);
    ck = out[0];
    cipher = new NoiseCipherState(out[1]); // HASHLEN is 32 = the key size, so no truncation.
  }

  void mixHash(byte[] data) {
    h = sha256(h, data);
  }

  /** Encrypts (once a key is mixed in) and then hashes the ciphertext, even an empty one. */
  byte[] encryptAndHash(byte[] plaintext) {
    byte[] c = cipher.encryptWithAd(h, plaintext, 0, plaintext.length);
    mixHash(c);
    return c;
  }

  byte[] decryptAndHash(byte[] ciphertext, int offset, int length) throws NoiseException {
    byte[] p = cipher.decryptWithAd(h, ciphertext, offset, length);
    mixHash(Arrays.copyOfRange(ciphertext, offset, offset + length));
    return p;
  }

  boolean hasKey() {
    return cipher.hasKey();
  }

  /**
   * Split: the initiator-to-responder and responder-to-initiator transport states, in that order.
   */
  NoiseCipherState[] split() {
    byte[][] keys = hkdf(ck, new byte[0], 2);
    return new NoiseCipherState[] {new NoiseCipherState(keys[0]), new NoiseCipherState(keys[1])};
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  static byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
    if (outputs < 2 || outputs > 3) {
      throw new IllegalArgumentException("Noise HKDF yields 2 or 3 outputs, asked for " + outputs);
    }
    byte[] tempKey = hmac(chainingKey, inputKeyMaterial);
    byte[][] out = new byte[outputs][];
    byte[] previous = new byte[0];
    for (int i = 0; i < outputs; i++) {
      byte[] block = Arrays.copyOf(previous, previous.length + 1);
      block[previous.length] = (byte) (i + 1);
      previous = hmac(tempKey, block);
      out[i] = previous;
    }
    return out;
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is a required JDK algorithm", e);
    }
  }

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
