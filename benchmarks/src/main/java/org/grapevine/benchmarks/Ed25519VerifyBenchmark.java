package org.grapevine.benchmarks;

import com.google.crypto.tink.subtle.Ed25519Verify;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.internal.Hex;
import org.grapevine.protocol.testing.TestAuthors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Which Ed25519 verifies fastest, on the message Grapevine actually verifies (the domain prefix and
 * a typical entry header). Chooses {@link org.grapevine.protocol.crypto.Ed25519#fastest()}. Every
 * method must return true; a false would mean the comparison is broken, so it throws.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Ed25519VerifyBenchmark {
  /** X.509 SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410). */
  private static final byte[] X509_PREFIX = Hex.decode("302a300506032b6570032100");

  private byte[] publicKey;
  private byte[] message;
  private byte[] signature;
  private Ed25519Verify tink;
  private PublicKey jdkKey;
  private Signature jdk;
  private org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point;

  @Setup
  public void setup() throws GeneralSecurityException {
    TestAuthors.Person alice = TestAuthors.person("alice");
    SigningKey laptop = alice.deviceKey("laptop");
    LogEntry e =
        alice
            .deviceLog(laptop)
            .append(TestAuthors.post("a typical post of a few words"), TestAuthors.T0_MILLIS);
    publicKey = laptop.publicKey().toBytes();
    message = EntryCodec.signingMessage(e.signed().entryBytes());
    signature = e.signed().signature();
    tink = new Ed25519Verify(publicKey);
    point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(publicKey, 0);
    byte[] x509 = new byte[X509_PREFIX.length + publicKey.length];
    System.arraycopy(X509_PREFIX, 0, x509, 0, X509_PREFIX.length);
    System.arraycopy(publicKey, 0, x509, X509_PREFIX.length, publicKey.length);
    jdkKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
    jdk = Signature.getInstance("Ed25519");
  }

  @Benchmark
  public boolean bouncyCastle() {
    return check(
        org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
            signature, 0, publicKey, 0, message, 0, message.length));
  }

  /** BouncyCastle with the public key decompressed once (as a per-author cache would do). */
  @Benchmark
  public boolean bouncyCastlePrevalidatedKey() {
    return check(
        org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
            signature, 0, point, message, 0, message.length));
  }

  @Benchmark
  public boolean tinkSubtle() throws GeneralSecurityException {
    tink.verify(signature, message); // Throws if invalid.
    return true;
  }

  @Benchmark
  public boolean jdk() throws GeneralSecurityException {
    jdk.initVerify(jdkKey);
    jdk.update(message);
    return check(jdk.verify(signature));
  }

  private static boolean check(boolean ok) {
    if (!ok) {
      throw new IllegalStateException("the benchmark signature did not verify");
    }
    return true;
  }
}
