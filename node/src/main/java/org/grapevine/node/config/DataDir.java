package org.grapevine.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
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
 * Grapevine key files), {@code keys/peer.key} (the libp2p identity, protobuf PrivateKey), {@code
 * store/} (RocksDB), {@code config.toml} ({@link ConfigFile}), {@code api.token} (the local API's
 * bearer token) and, while a node runs, {@code api.endpoint} (the API's URL). Default: {@code
 * $GRAPEVINE_DATA_DIR}, else {@code $XDG_DATA_HOME/grapevine}, else {@code
 * ~/.local/share/grapevine}. The first run creates what is missing and says what it created.
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
    // $HOME as the XDG spec says; the JVM's user.home comes from the password database instead.
    String home = System.getenv("HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(
                home != null && !home.isBlank() ? home : System.getProperty("user.home"),
                ".local",
                "share");
    return base.resolve("grapevine");
  }

  public Path path() {
    return root;
  }

  public Path configFile() {
    return root.resolve("config.toml");
  }

  public Path apiTokenFile() {
    return root.resolve("api.token");
  }

  /** Written by a running node: its API's URL ({@code http://127.0.0.1:PORT}) and a newline. */
  public Path apiEndpointFile() {
    return root.resolve("api.endpoint");
  }

  /** The config, after writing the documented default file if there is none. */
  public NodeConfig config(List<String> created) throws IOException, ConfigException {
    Path file = configFile();
    if (!Files.exists(file)) {
      Files.createDirectories(root);
      try {
        Files.writeString(Files.createFile(file), ConfigFile.defaultText(), StandardCharsets.UTF_8);
        created.add(file + " (configuration, every option with its default)");
      } catch (FileAlreadyExistsException raced) {
        // Another process wrote it first; read theirs.
      }
    }
    return ConfigFile.read(file, root);
  }

  /**
   * The local API's bearer token: 32 random bytes as 64 hex digits in {@code api.token}, created
   * (readable by the owner only) when missing.
   */
  public String apiToken(List<String> created) throws IOException {
    Path file = apiTokenFile();
    if (!Files.exists(file)) {
      Files.createDirectories(root);
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      String token = HexFormat.of().formatHex(secret);
      Path f =
          root.getFileSystem().supportedFileAttributeViews().contains("posix")
              ? Files.createFile(
                  file,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createFile(file);
      Files.writeString(f, token + "\n", StandardCharsets.UTF_8);
      created.add(file + " (API token)");
      return token;
    }
    if (Files.size(file) > 1024) {
      throw new IOException(
          file + " is not an API token (too large); delete it and restart to get a new one");
    }
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (!token.matches("[0-9a-f]{64}")) {
      throw new IOException(
          file + " is not an API token (64 hex digits); delete it and restart to get a new one");
    }
    return token;
  }

  /**
   * Written when this data directory joined an identity that exists elsewhere ({@code grapevine
   * device import}, {@code grapevine identity import}): the identity string and a newline. Its root
   * log comes from there (a bundle or peers); a node here never starts a new one, which would fork
   * the identity.
   */
  public Path identityFile() {
    return root.resolve("keys").resolve("identity");
  }

  /** The identity of {@link #identityFile()}, if this directory joined one. */
  public java.util.Optional<Identity> joinedIdentity() throws IOException {
    Path file = identityFile();
    if (!Files.exists(file)) {
      return java.util.Optional.empty();
    }
    if (Files.size(file) > 1024) {
      throw new IOException(file + " is not an identity string (too large)");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    try {
      return java.util.Optional.of(Identity.parse(text));
    } catch (org.grapevine.protocol.identity.IdentityFormatException e) {
      throw new IOException(file + " does not hold an identity string: " + e.getMessage(), e);
    }
  }

  /**
   * Whether a key file of the identity ({@code root.key}, {@code device.key}) is sealed with a
   * passphrase.
   */
  public boolean keysSealed() throws IOException, KeyFileException {
    for (String name : List.of("root.key", "device.key")) {
      Path file = root.resolve("keys").resolve(name);
      try {
        if (Files.exists(file) && KeyFile.isSealed(readKeyFile(file))) {
          return true;
        }
      } catch (KeyFileException e) {
        throw new KeyFileException(e.problem(), file + ": " + e.getMessage(), e);
      }
    }
    return false;
  }

  /** {@link #keys(List, char[])} for keys that are not sealed. */
  public Keys keys(List<String> created) throws IOException, KeyFileException {
    return keys(created, null);
  }

  /**
   * The node's keys, created when missing; {@code created} collects what was created, for the user.
   * In a directory that joined an identity ({@link #identityFile()}) a missing root key is not
   * created (that would be another identity): the keys then have no root, and the device key must
   * be there.
   *
   * @param passphrase opens sealed key files (and seals new ones); null for unsealed keys
   * @throws KeyFileException {@code PASSPHRASE_REQUIRED} or {@code WRONG_PASSPHRASE} for sealed
   *     keys without the right passphrase, or a damaged file
   */
  public Keys keys(List<String> created, char[] passphrase) throws IOException, KeyFileException {
    Path keys = root.resolve("keys");
    Files.createDirectories(keys);
    SecureRandom random = new SecureRandom();
    java.util.Optional<Identity> joined = joinedIdentity();
    Path rootFile = keys.resolve("root.key");
    SigningKey rootKey = null;
    if (joined.isEmpty() || Files.exists(rootFile)) {
      rootKey = signingKey(rootFile, KeyRole.KEY_ROLE_ROOT, passphrase, random, created);
      if (joined.isPresent() && !joined.get().equals(Identity.of(rootKey.publicKey()))) {
        throw new IOException(
            rootFile
                + " is the root key of "
                + Identity.of(rootKey.publicKey())
                + ", but "
                + identityFile()
                + " says this directory belongs to "
                + joined.get());
      }
    } else if (!Files.exists(keys.resolve("device.key"))) {
      throw new IOException(
          "the data directory "
              + root
              + " belongs to "
              + joined.get()
              + " but holds no device key (keys/device.key); import one with `grapevine device import`");
    }
    SigningKey device =
        signingKey(
            keys.resolve("device.key"), KeyRole.KEY_ROLE_DEVICE, passphrase, random, created);
    Path peerFile = keys.resolve("peer.key");
    PrivKey peer;
    if (Files.exists(peerFile)) {
      try {
        peer = PrivKey.decode(readKeyFile(peerFile));
      } catch (org.grapevine.libp2p.crypto.PrivKeyFormatException e) {
        throw new LocalKeyFileException(
            LocalKeyFileException.Problem.NOT_A_LIBP2P_KEY,
            peerFile,
            "not a libp2p private key (" + e.getMessage() + ")",
            e);
      }
    } else {
      peer = PrivKey.generate(random);
      Files.write(peerFile, peer.encode());
      created.add(peerFile + " (network key)");
    }
    Identity identity = rootKey != null ? Identity.of(rootKey.publicKey()) : joined.get();
    return new Keys(identity, rootKey, device, peer);
  }

  private static byte[] readKeyFile(Path file) throws IOException {
    if (Files.size(file) > KeyFile.MAX_FILE_BYTES) {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.TOO_LARGE,
          file,
          "larger than any key file (" + KeyFile.MAX_FILE_BYTES + " bytes)",
          null);
    }
    return Files.readAllBytes(file);
  }

  private static SigningKey signingKey(
      Path file, KeyRole role, char[] passphrase, SecureRandom random, List<String> created)
      throws IOException, KeyFileException {
    if (Files.exists(file)) {
      try {
        return KeyFile.read(readKeyFile(file), passphrase, role).signingKey();
      } catch (KeyFileException e) {
        // Same type and problem (callers branch on it), but naming the file that is wrong.
        throw new KeyFileException(e.problem(), file + ": " + e.getMessage(), e);
      }
    }
    SigningKey key = SigningKey.generate(random);
    Files.write(file, KeyFile.write(TinkKeys.toKeyset(key), role, "grapevine", passphrase, random));
    created.add(
        file
            + (role == KeyRole.KEY_ROLE_ROOT
                ? " (identity root key: back it up)"
                : " (device key)"));
    return key;
  }

  /**
   * The keys a node runs with.
   *
   * @param root null on a device that joined an identity without its root key
   */
  public record Keys(Identity identity, SigningKey root, SigningKey device, PrivKey peer) {}
}
