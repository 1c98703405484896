package org.grapevine.node.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.keys.KeyFile;
import org.grapevine.protocol.keys.KeyFileException;
import org.grapevine.protocol.keys.RecoveryPhrase;
import org.grapevine.protocol.proto.KeyRole;

/**
 * The recovery phrase for the web app's settings, behind the passphrase: the root key file is read
 * (and, when sealed, opened with the passphrase given) at the moment of asking, the 24 words made
 * from its seed, and the key wiped. Nothing is kept. At most {@link #MAX_TRIES} tries per {@link
 * #WINDOW_MILLIS}, right or wrong, so a page cannot guess the passphrase quickly.
 */
final class WebRecovery {
  static final int MAX_TRIES = 5;
  static final long WINDOW_MILLIS = 60_000;

  private final Path rootKeyFile;
  private final Deque<Long> tries = new ArrayDeque<>();

  /**
   * @param rootKeyFile the data directory's root key file; null when the server was not told (the
   *     settings then say to use the CLI)
   */
  WebRecovery(Path rootKeyFile) {
    this.rootKeyFile = rootKeyFile;
  }

  boolean available() {
    return rootKeyFile != null && Files.isRegularFile(rootKeyFile);
  }

  /** Whether the root key file is sealed with a passphrase (false when it cannot be read). */
  boolean sealed() {
    try {
      return available() && KeyFile.isSealed(read());
    } catch (KeyFileException | IOException e) {
      return false;
    }
  }

  /**
   * The 24 words of the root key.
   *
   * @param passphrase the data directory's passphrase; ignored for an unsealed file; wiped here
   * @throws ApiError 429 rate_limited, 409 root_key_offline, 403 wrong_passphrase, 500 internal
   */
  String phrase(char[] passphrase, long now) {
    try {
      synchronized (tries) {
        while (!tries.isEmpty() && tries.peekFirst() <= now - WINDOW_MILLIS) {
          tries.removeFirst();
        }
        if (tries.size() >= MAX_TRIES) {
          throw new ApiError(
              HttpResponseStatus.TOO_MANY_REQUESTS,
              "rate_limited",
              MAX_TRIES + " tries in a minute already; wait a minute");
        }
        tries.addLast(now);
      }
      if (!available()) {
        throw new ApiError(
            HttpResponseStatus.CONFLICT,
            "root_key_offline",
            "this data directory does not hold the root key (it runs as a device); export the"
                + " phrase where the root key is");
      }
      SigningKey root;
      try {
        byte[] file = read();
        root =
            KeyFile.read(file, KeyFile.isSealed(file) ? passphrase : null, KeyRole.KEY_ROLE_ROOT)
                .signingKey();
      } catch (KeyFileException e) {
        if (e.problem() == KeyFileException.Problem.WRONG_PASSPHRASE
            || e.problem() == KeyFileException.Problem.PASSPHRASE_REQUIRED) {
          throw new ApiError(
              HttpResponseStatus.FORBIDDEN, "wrong_passphrase", "wrong passphrase; try again");
        }
        throw new IllegalStateException("the root key file cannot be read: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new IllegalStateException("the root key file cannot be read: " + e, e);
      }
      byte[] seed = root.seed();
      try {
        return RecoveryPhrase.encode(seed);
      } finally {
        Arrays.fill(seed, (byte) 0);
        root.destroy();
      }
    } finally {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
    }
  }

  private byte[] read() throws IOException {
    if (Files.size(rootKeyFile) > KeyFile.MAX_FILE_BYTES) {
      throw new IOException(rootKeyFile + " is larger than a key file");
    }
    try {
      return Files.readAllBytes(rootKeyFile);
    } catch (NoSuchFileException e) {
      throw new IOException(rootKeyFile + " is gone", e);
    }
  }
}
