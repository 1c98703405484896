package org.grapevine.cli.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.keys.KeyFile;
import org.grapevine.protocol.keys.KeyFileException;
import org.grapevine.protocol.keys.TinkKeys;
import org.grapevine.protocol.proto.KeyRole;

/**
 * The node's data directory: {@code keys/root.key} and {@code keys/device.key} (Tink keysets in
 * Grapevine key files), {@code keys/peer.key} (the libp2p identity, protobuf PrivateKey) and
 * {@code store/} (RocksDB). Default: {@code $GRAPEVINE_DATA_DIR}, else
 * {@code $XDG_DATA_HOME/grapevine}, else {@code ~/.local/share/grapevine}. The first run creates
 * what is missing and says what it created.
 */
public final class DataDir {
  private final Path root;

  public DataDir(Path root) {
    this.root = root;
  }

  public static Path defaultPath() {
    String explicit = System.getenv("GRAPEVINE_DATA_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("grapevine");
  }

  public Path path() {
    return root;
  }

  /** The node's keys, created when missing; {@code created} collects what was created, for the user. */
  public Keys keys(List<String> created) throws IOException, KeyFileException {
    Path keys = root.resolve("keys");
    Files.createDirectories(keys);
    SecureRandom random = new SecureRandom();
    SigningKey rootKey = signingKey(keys.resolve("root.key"), KeyRole.KEY_ROLE_ROOT, random, created);
    SigningKey device = signingKey(keys.resolve("device.key"), KeyRole.KEY_ROLE_DEVICE, random, created);
    Path peerFile = keys.resolve("peer.key");
    PrivKey peer;
    if (Files.exists(peerFile)) {
      try {
        peer = PrivKey.decode(Files.readAllBytes(peerFile));
      } catch (org.grapevine.libp2p.MalformedFrameException e) {
        throw new IOException(peerFile + " is not a libp2p private key: " + e.getMessage(), e);
      }
    } else {
      peer = PrivKey.generate(random);
      Files.write(peerFile, peer.encode());
      created.add(peerFile + " (network key)");
    }
    return new Keys(Identity.of(rootKey.publicKey()), rootKey, device, peer);
  }

  private static SigningKey signingKey(Path file, KeyRole role, SecureRandom random, List<String> created)
      throws IOException, KeyFileException {
    if (Files.exists(file)) {
      return KeyFile.read(Files.readAllBytes(file), null, role).signingKey();
    }
    SigningKey key = SigningKey.generate(random);
    Files.write(file, KeyFile.write(TinkKeys.toKeyset(key), role, "grapevine", null, random));
    created.add(file + (role == KeyRole.KEY_ROLE_ROOT ? " (identity root key: back it up)" : " (device key)"));
    return key;
  }

  /** The keys a node runs with. */
  public record Keys(Identity identity, SigningKey root, SigningKey device, PrivKey peer) {}
}
