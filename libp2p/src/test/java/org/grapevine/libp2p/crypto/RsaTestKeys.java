package org.grapevine.libp2p.crypto;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.proto.KeyType;
import org.grapevine.libp2p.proto.PublicKey;

/**
 * RSA keys for tests, made by the JDK, as a remote RSA peer would hold them: key pairs that sign
 * (RSASSA-PKCS1-v1_5 with SHA-256), and public keys built from a chosen modulus (sizes nobody would
 * generate, or many deterministic keys fast).
 */
public final class RsaTestKeys {
  private static volatile KeyPair shared2048;

  private RsaTestKeys() {}

  /** One 2048-bit key pair per JVM: generating one takes up to a second. */
  public static KeyPair shared2048() {
    KeyPair kp = shared2048;
    if (kp == null) {
      synchronized (RsaTestKeys.class) {
        kp = shared2048;
        if (kp == null) {
          kp = generate(2048);
          shared2048 = kp;
        }
      }
    }
    return kp;
  }

  /** A fresh key pair of {@code bits}. */
  public static KeyPair generate(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** The DER SubjectPublicKeyInfo of a key pair, as the JDK (and go, and js) encode it. */
  public static byte[] der(KeyPair kp) {
    return kp.getPublic().getEncoded();
  }

  /** The DER SubjectPublicKeyInfo of the public key (n, e); n need not be a product of primes. */
  public static byte[] der(BigInteger modulus, BigInteger exponent) {
    try {
      return KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(modulus, exponent))
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A random odd modulus of exactly {@code bits} bits. */
  public static BigInteger randomModulus(int bits, RandomGenerator random) {
    byte[] n = new byte[(bits + 7) / 8];
    random.nextBytes(n);
    return new BigInteger(1, n).mod(BigInteger.ONE.shiftLeft(bits)).setBit(bits - 1).setBit(0);
  }

  /**
   * The PublicKey protobuf of a DER key, built with the generated protobuf classes (not with {@link
   * PubKey#encode}, which the tests check against it).
   */
  public static byte[] protobuf(byte[] der) {
    return PublicKey.newBuilder()
        .setType(KeyType.RSA)
        .setData(ByteString.copyFrom(der))
        .build()
        .toByteArray();
  }

  /** {@link PubKey#rsa} for a key the test knows is valid. */
  public static PubKey pubKey(KeyPair kp) {
    try {
      return PubKey.rsa(der(kp));
    } catch (MalformedFrameException e) {
      throw new AssertionError(e);
    }
  }

  /** An RSASSA-PKCS1-v1_5 SHA-256 signature, made by the JDK. */
  public static byte[] sign(KeyPair kp, byte[] message) {
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(kp.getPrivate());
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
