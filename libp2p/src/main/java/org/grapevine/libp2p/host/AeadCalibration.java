package org.grapevine.libp2p.host;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.crypto.AEADBadTagException;
import org.grapevine.libp2p.noise.crypto.Aead;
import org.grapevine.libp2p.noise.crypto.AeadImplementation;

/**
 * The self-measurement behind {@link AeadImplementation}'s automatic choice: times our
 * ChaCha20-Poly1305 against the JDK's on the same messages, in a background daemon thread started
 * by the first {@link Host}, and installs the faster one for all later Noise cipher states.
 *
 * <p>Why in the background: a cold JVM has compiled neither cipher, so a useful measurement needs
 * both warmed up by the JIT (some 100 ms of CPU each); doing that on the first connection's event
 * loop would delay it. Connections made meanwhile use ours, which gives the same bytes.
 *
 * <p>Method: rounds of {@value #MESSAGES_PER_ROUND} seal-and-open pairs of {@value
 * #MESSAGE_BYTES}-byte messages (a full Noise transport message), alternating the two ciphers.
 * First {@value #WARMUP_NANOS} ns of warm-up rounds (at least {@value #MIN_WARMUP_ROUNDS}), so that
 * C2 has compiled both, then {@value #MEASURED_ROUNDS} measured rounds; each cipher's time is its
 * fastest measured round. {@link AeadImplementation#faster} decides. A first version measured 40
 * rounds in all, under a second, and picked ours on Temurin 25 with AVX-512 (JDK's 809 MB/s, its
 * Java part not yet compiled, against 3,500 MB/s warm). Before Java 19 there are no HotSpot
 * ChaCha20-Poly1305 intrinsics at all (JDK 17 measured at 0.32 of ours), so nothing is measured.
 */
final class AeadCalibration {
  static final int MESSAGE_BYTES = 65519;
  static final int MESSAGES_PER_ROUND = 4;
  static final long WARMUP_NANOS = 2_000_000_000L;
  static final int MIN_WARMUP_ROUNDS = 100;
  static final int MEASURED_ROUNDS = 20;

  /** The first Java version with HotSpot intrinsics for either half of the cipher (Poly1305). */
  static final int FIRST_INTRINSIC_FEATURE_VERSION = 19;

  private static boolean started;

  private AeadCalibration() {}

  /** Starts the measurement once per JVM, unless a property forces the choice. */
  static synchronized void startOnce() {
    if (started || !AeadImplementation.wantsMeasurement()) {
      return;
    }
    started = true;
    int feature = Runtime.version().feature();
    if (feature < FIRST_INTRINSIC_FEATURE_VERSION) {
      AeadImplementation.install(
          AeadImplementation.OURS, "Java " + feature + " has no ChaCha20-Poly1305 intrinsics");
      return;
    }
    Thread t = new Thread(AeadCalibration::measureAndInstall, "grapevine-aead-calibration");
    t.setDaemon(true);
    t.start();
  }

  private static void measureAndInstall() {
    try {
      long[] best = measure();
      AeadImplementation choice = AeadImplementation.faster(best[0], best[1]);
      AeadImplementation.install(
          choice,
          String.format(
              Locale.ROOT,
              "measured ours %.0f MB/s, the JDK's %.0f MB/s (Java %d)",
              mbPerSecond(best[0]),
              mbPerSecond(best[1]),
              Runtime.version().feature()));
    } catch (RuntimeException | AEADBadTagException e) {
      // A cipher that fails its own round trip must not be chosen; ours is tested byte for byte.
      AeadImplementation.install(AeadImplementation.OURS, "measurement failed: " + e);
    }
  }

  /** The fastest late round of ours and of the JDK's, in nanoseconds. */
  private static long[] measure() throws AEADBadTagException {
    byte[] key = new byte[32];
    byte[] plain = new byte[MESSAGE_BYTES];
    SplittableRandom random = new SplittableRandom(8439); // not secret: a speed test
    random.nextBytes(key);
    random.nextBytes(plain);
    // Separate sealing and opening instances: the JDK refuses to initialise with the key and nonce
    // of the previous initialisation, even to decrypt.
    Aead[] sealers = {AeadImplementation.OURS.create(key), AeadImplementation.JDK.create(key)};
    Aead[] openers = {AeadImplementation.OURS.create(key), AeadImplementation.JDK.create(key)};
    long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
    byte[] sealed = new byte[MESSAGE_BYTES + 16];
    byte[] opened = new byte[MESSAGE_BYTES];
    long nonce = 0;
    long warmupEnd = System.nanoTime() + WARMUP_NANOS;
    int measured = 0;
    for (int round = 0; measured < MEASURED_ROUNDS; round++) {
      boolean measuring = round >= MIN_WARMUP_ROUNDS && System.nanoTime() - warmupEnd >= 0;
      for (int which = 0; which < 2; which++) {
        long start = System.nanoTime();
        for (int m = 0; m < MESSAGES_PER_ROUND; m++) {
          sealers[which].encrypt(nonce, null, plain, 0, MESSAGE_BYTES, sealed, 0);
          openers[which].decrypt(nonce, null, sealed, 0, sealed.length, opened, 0);
          nonce++;
        }
        long took = System.nanoTime() - start;
        if (measuring) {
          best[which] = Math.min(best[which], took);
        }
      }
      if (measuring) {
        measured++;
      }
    }
    if (!Arrays.equals(opened, plain)) {
      throw new IllegalStateException("a ChaCha20-Poly1305 round trip changed the message");
    }
    return best;
  }

  private static double mbPerSecond(long nanos) {
    return 2.0 * MESSAGES_PER_ROUND * MESSAGE_BYTES / 1e6 / (nanos / 1e9);
  }
}
