package org.grapevine.libp2p.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;

/**
 * RSA identity keys of remote peers (peer-ids spec, "RSA"): the public key is the DER-encoded PKIX
 * SubjectPublicKeyInfo, signatures are RSASSA-PKCS1-v1_5 over SHA-256. Verification only: our own
 * identity is always Ed25519 ({@link PrivKey}).
 *
 * <p>Rules, checked in this order on every key a peer sends (each failure is the peer's fault):
 *
 * <ol>
 *   <li>at most {@link #MAX_DER_BYTES} bytes, before any parsing ({@link FrameError#TOO_LARGE});
 *   <li>the JDK parses it as an RSA SubjectPublicKeyInfo ({@link FrameError#BAD_ENCODING});
 *   <li>it is DER: the JDK's re-encoding gives back the same bytes ({@link
 *       FrameError#BAD_ENCODING}), so a key has one peer ID everywhere (go and js hash their own
 *       re-encoding of the key, which is DER);
 *   <li>the modulus has {@value #MIN_BITS} to {@value #MAX_BITS} bits, the range go-libp2p accepts
 *       ({@link FrameError#WEAK_KEY} below, {@link FrameError#TOO_LARGE} above);
 *   <li>the public exponent is odd and at least 3 ({@link FrameError#WEAK_KEY}): go's verifier
 *       refuses other exponents, so such a key could never sign anything that go accepts (the JDK
 *       parser already refuses exponents below 3, as a {@link FrameError#BAD_ENCODING}).
 * </ol>
 *
 * <p>Cost: a verify takes time quadratic in the modulus length (with the usual exponent 65537), so
 * an 8192-bit key costs about 16 times a 2048-bit one; the bit limit bounds what one signature can
 * cost us.
 */
final class RsaKeys {
  static final int MIN_BITS = 2048;
  static final int MAX_BITS = 8192;

  /**
   * The largest SubjectPublicKeyInfo accepted: an 8192-bit key with exponent 65537 is 1062 bytes;
   * the rest leaves room for a larger exponent (the JDK allows up to 64 bits at this size).
   */
  static final int MAX_DER_BYTES = 1100;

  private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";

  private RsaKeys() {}

  /**
   * Parses and checks a peer's RSA SubjectPublicKeyInfo.
   *
   * @throws MalformedFrameException with the code of the first rule (above) that fails
   */
  static RSAPublicKey parse(byte[] der) throws MalformedFrameException {
    // 1. size, before the parser sees it
    if (der.length > MAX_DER_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "peer's RSA public key is "
              + der.length
              + " bytes, at most "
              + MAX_DER_BYTES
              + " (a "
              + MAX_BITS
              + "-bit key)");
    }
    // 2. an RSA SubjectPublicKeyInfo
    RSAPublicKey key;
    try {
      if (!(rsaFactory().generatePublic(new X509EncodedKeySpec(der))
          instanceof RSAPublicKey parsed)) {
        throw new MalformedFrameException(
            FrameError.BAD_ENCODING, "peer's RSA public key is not an RSA key");
      }
      key = parsed;
    } catch (GeneralSecurityException | RuntimeException e) {
      // The JDK parser throws InvalidKeySpecException, and unchecked exceptions on some garbage.
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING,
          "peer's RSA public key is not a DER SubjectPublicKeyInfo: " + e.getMessage(),
          e);
    }
    // 3. canonical DER, so that every implementation derives the same peer ID from it
    if (!Arrays.equals(key.getEncoded(), der)) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING,
          "peer's RSA public key is not in DER form (its re-encoding differs), so its peer ID would"
              + " be ambiguous");
    }
    // 4. size of the modulus
    int bits = key.getModulus().bitLength();
    if (bits < MIN_BITS) {
      throw new MalformedFrameException(
          FrameError.WEAK_KEY,
          "peer's RSA key has " + bits + " bits, fewer than the " + MIN_BITS + " required");
    }
    if (bits > MAX_BITS) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "peer's RSA key has " + bits + " bits, more than the " + MAX_BITS + " accepted");
    }
    // 5. an exponent that can verify
    BigInteger e = key.getPublicExponent();
    if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
      throw new MalformedFrameException(
          FrameError.WEAK_KEY,
          "peer's RSA key has the public exponent " + e + " (odd, >= 3 needed)");
    }
    return key;
  }

  /**
   * Whether {@code signature} is an RSASSA-PKCS1-v1_5 SHA-256 signature of {@code message}; false,
   * never an exception, for garbage.
   */
  static boolean verify(RSAPublicKey key, byte[] message, byte[] signature) {
    // PKCS #1 (RFC 8017 8.2.2 step 1) and go: a signature is exactly as long as the modulus.
    if (signature.length != (key.getModulus().bitLength() + 7) / 8) {
      return false;
    }
    try {
      // A new Signature per call: instances are stateful and not thread-safe, and the lookup is
      // small next to the modular exponentiation.
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every JDK verifies SHA256withRSA with a parsed RSA key", e);
    }
  }

  private static KeyFactory rsaFactory() {
    try {
      return KeyFactory.getInstance("RSA");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has an RSA KeyFactory", e);
    }
  }
}
