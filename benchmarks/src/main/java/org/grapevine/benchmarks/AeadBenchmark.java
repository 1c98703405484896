package org.grapevine.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.grapevine.libp2p.noise.crypto.ChaCha20Poly1305;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ChaCha20-Poly1305 on a full Noise transport message (65519 plaintext bytes, 65535 sealed): ours
 * ({@link ChaCha20Poly1305}) vs the JDK 17 cipher vs BouncyCastle, encrypt and decrypt. Each
 * operation is one byte, so the score in ops/us reads directly as MB/s (10^6 bytes/s).
 *
 * <p>As in Noise, every message gets a fresh nonce (a counter) and the JDK and BouncyCastle ciphers
 * are initialised per message; decryption alternates between two sealed messages (the JDK refuses a
 * second init with the previous key and nonce, even to decrypt). Agreement of the three is checked
 * in {@link #setup}, not in the timed methods.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AeadBenchmark -f 1 -wi 3 -i 5 -w 2s -r
 * 2s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AeadBenchmark {
  static final int PLAINTEXT_BYTES = 65519;
  private static final int TAG_BYTES = 16;

  private final byte[] key = new byte[32];
  private final byte[] plain = new byte[PLAINTEXT_BYTES];

  /**
   * Two sealed messages under two nonces: the JDK refuses to re-initialise with the previous nonce,
   * even to decrypt.
   */
  private final byte[][] sealed = {
    new byte[PLAINTEXT_BYTES + TAG_BYTES], new byte[PLAINTEXT_BYTES + TAG_BYTES]
  };

  private final byte[][] sealedNonce = {new byte[12], new byte[12]};
  private int which;
  private final byte[] out = new byte[PLAINTEXT_BYTES + TAG_BYTES];
  private long counter;

  private ChaCha20Poly1305 ours;
  private Cipher jdk;
  private Cipher jdkDecrypt;
  private SecretKeySpec jdkKey;
  private org.bouncycastle.crypto.modes.ChaCha20Poly1305 bc;
  private KeyParameter bcKey;
  private ByteBuf heapIn;
  private ByteBuf heapOut;
  private ByteBuf directIn;
  private ByteBuf directOut;

  @Setup
  public void setup() throws Exception {
    SplittableRandom random = new SplittableRandom(8439);
    random.nextBytes(key);
    random.nextBytes(plain);
    ours = new ChaCha20Poly1305(key);
    jdk = Cipher.getInstance("ChaCha20-Poly1305");
    jdkDecrypt = Cipher.getInstance("ChaCha20-Poly1305");
    jdkKey = new SecretKeySpec(key, "ChaCha20");
    bc = new org.bouncycastle.crypto.modes.ChaCha20Poly1305();
    bcKey = new KeyParameter(key);
    for (int i = 0; i < 2; i++) {
      sealedNonce[i] = noiseNonce(i);
      ours.encrypt(sealedNonce[i], null, plain, 0, PLAINTEXT_BYTES, sealed[i], 0);
    }
    // The three must agree, or the comparison is meaningless.
    counter = 1L << 40;
    byte[] viaJdk = new byte[out.length];
    byte[] viaBc = new byte[out.length];
    byte[] viaOurs = new byte[out.length];
    long n = counter;
    jdkEncryptInto(n, viaJdk);
    bcEncryptInto(n, viaBc);
    ours.encrypt(n, null, plain, 0, PLAINTEXT_BYTES, viaOurs, 0);
    if (!java.util.Arrays.equals(viaJdk, viaOurs) || !java.util.Arrays.equals(viaBc, viaOurs)) {
      throw new IllegalStateException("the three ChaCha20-Poly1305 implementations disagree");
    }
    heapIn = Unpooled.buffer(out.length);
    heapOut = Unpooled.buffer(out.length);
    directIn = Unpooled.directBuffer(out.length);
    directOut = Unpooled.directBuffer(out.length);
  }

  @TearDown
  public void tearDown() {
    heapIn.release();
    heapOut.release();
    directIn.release();
    directOut.release();
  }

  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public byte[] oursEncrypt() {
    ours.encrypt(++counter, null, plain, 0, PLAINTEXT_BYTES, out, 0);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public byte[] oursDecrypt() throws GeneralSecurityException {
    int i = which ^= 1;
    ours.decrypt(sealedNonce[i], null, sealed[i], 0, out.length, out, 0);
    return out;
  }

  /**
   * The Noise path with heap buffers (what the Netty handler sees with the default allocator on
   * heap).
   */
  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public ByteBuf oursEncryptHeapByteBuf() {
    return encryptByteBuf(heapIn, heapOut);
  }

  /** The Noise path with direct buffers: copied through the instance's 4 KiB chunk array. */
  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public ByteBuf oursEncryptDirectByteBuf() {
    return encryptByteBuf(directIn, directOut);
  }

  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public byte[] jdkEncrypt() throws GeneralSecurityException {
    jdkEncryptInto(++counter, out);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public byte[] jdkDecrypt() throws GeneralSecurityException {
    int i = which ^= 1;
    jdkDecrypt.init(Cipher.DECRYPT_MODE, jdkKey, new IvParameterSpec(sealedNonce[i]));
    jdkDecrypt.doFinal(sealed[i], 0, out.length, out, 0);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public byte[] bouncyCastleEncrypt() throws InvalidCipherTextException {
    bcEncryptInto(++counter, out);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(PLAINTEXT_BYTES)
  public byte[] bouncyCastleDecrypt() throws InvalidCipherTextException {
    int i = which ^= 1;
    bc.init(false, new AEADParameters(bcKey, 128, sealedNonce[i]));
    int n = bc.processBytes(sealed[i], 0, out.length, out, 0);
    bc.doFinal(out, n);
    return out;
  }

  private ByteBuf encryptByteBuf(ByteBuf in, ByteBuf to) {
    in.clear().writeBytes(plain);
    to.clear();
    ours.encrypt(++counter, in, PLAINTEXT_BYTES, to);
    return to;
  }

  private void jdkEncryptInto(long n, byte[] dst) throws GeneralSecurityException {
    jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(noiseNonce(n)));
    jdk.doFinal(plain, 0, PLAINTEXT_BYTES, dst, 0);
  }

  private void bcEncryptInto(long n, byte[] dst) throws InvalidCipherTextException {
    bc.init(true, new AEADParameters(bcKey, 128, noiseNonce(n)));
    int written = bc.processBytes(plain, 0, PLAINTEXT_BYTES, dst, 0);
    bc.doFinal(dst, written);
  }

  /**
   * Noise's nonce: four zero bytes, then the counter as 64-bit little-endian (as NoiseCipherState
   * builds it).
   */
  private static byte[] noiseNonce(long n) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    return iv;
  }
}
