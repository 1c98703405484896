package org.grapevine.benchmarks;

import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import org.grapevine.libp2p.noise.crypto.Aead;
import org.grapevine.libp2p.noise.crypto.AeadImplementation;

/**
 * Single-thread ChaCha20-Poly1305 rates of both {@link AeadImplementation}s through the {@link
 * Aead} interface Noise uses: 65,519-byte heap messages (a full Noise transport message), a fresh
 * nonce per encryption, as the transport sends them. The baselines of {@link TransportHarness}.
 */
final class AeadRates {
  static final int MESSAGE_BYTES = 65519;

  private AeadRates() {}

  /** MB/s (10^6 bytes/s) over {@code bytes} after an equal warm-up. */
  static double mbPerSecond(AeadImplementation impl, long bytes, boolean decrypt)
      throws AEADBadTagException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Aead aead = impl.create(key);
    byte[] plain = new byte[MESSAGE_BYTES];
    byte[][] sealed = {new byte[MESSAGE_BYTES + 16], new byte[MESSAGE_BYTES + 16]};
    aead.encrypt(0L, null, plain, 0, plain.length, sealed[0], 0);
    aead.encrypt(1L, null, plain, 0, plain.length, sealed[1], 0);
    Aead opener = impl.create(key);
    byte[] out = new byte[MESSAGE_BYTES + 16];
    double rate = 0;
    long n = 2; // 0 and 1 sealed the messages above
    for (int round = 0; round < 2; round++) {
      long start = System.nanoTime();
      long total = 0;
      while (total < bytes) {
        if (decrypt) {
          // Two sealed messages in turn: the JDK refuses to initialise with the key and nonce of
          // its previous initialisation, even to decrypt.
          int i = (int) (n++ & 1);
          opener.decrypt(i, null, sealed[i], 0, sealed[i].length, out, 0);
        } else {
          aead.encrypt(n++, null, plain, 0, plain.length, out, 0);
        }
        total += plain.length;
      }
      rate = total / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
    return rate;
  }
}
