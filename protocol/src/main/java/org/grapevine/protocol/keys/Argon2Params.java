package org.grapevine.protocol.keys;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106) parameters for deriving a key-file wrapping key from a passphrase.
 *
 * <p>{@link #DEFAULT} follows RFC 9106's second recommended option (64 MiB, 3 passes, one lane): a
 * fraction of a second on a laptop, costly for a password guesser. The bounds stop a crafted file
 * from making the reader allocate or compute without limit.
 */
public record Argon2Params(int memoryKib, int iterations, int parallelism) {
  public static final Argon2Params DEFAULT = new Argon2Params(64 * 1024, 3, 1);
  static final int MAX_MEMORY_KIB = 1024 * 1024;
  static final int MAX_ITERATIONS = 64;
  static final int MAX_PARALLELISM = 16;
  static final int KEY_BYTES = 32;

  public Argon2Params {
    if (!valid(memoryKib, iterations, parallelism)) {
      throw new IllegalArgumentException(
          "Argon2 parameters out of range: memory "
              + memoryKib
              + " KiB, iterations "
              + iterations
              + ", parallelism "
              + parallelism);
    }
  }

  static boolean valid(int memoryKib, int iterations, int parallelism) {
    return parallelism >= 1
        && parallelism <= MAX_PARALLELISM
        && iterations >= 1
        && iterations <= MAX_ITERATIONS
        && memoryKib >= 8 * parallelism
        && memoryKib <= MAX_MEMORY_KIB;
  }

  byte[] deriveKey(char[] passphrase, byte[] salt) {
    Argon2Parameters p =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(p);
    byte[] key = new byte[KEY_BYTES];
    generator.generateBytes(passphrase, key);
    return key;
  }
}
