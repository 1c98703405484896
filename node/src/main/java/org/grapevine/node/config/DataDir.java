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
import java.util.Optional;
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
 * ~/.local/share/grapevine}. A directory belongs to one identity ({@link #identityFile()}); only
 * {@link #createIdentity} makes a root key. The node creates the rest when missing and says what it
 * created.
 */
public final class DataDir {
  private static final SecureRandom RANDOM = new SecureRandom();

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
   * The identity this data directory belongs to, recorded once by {@code grapevine init}, {@code
   * identity import} or {@code device import} ({@link #recordIdentity}) and never changed: its
   * identity string on the first line, then {@code created} on a second line where the identity was
   * created ({@code init}; its root log starts here), nothing where it was joined (its root log
   * comes from elsewhere: a device bundle or peers). With it, a missing root key means the root key
   * is offline, never that a new identity is wanted.
   */
  public Path identityFile() {
    return root.resolve("keys").resolve("identity");
  }

  public Path rootKeyFile() {
    return root.resolve("keys").resolve("root.key");
  }

  public Path deviceKeyFile() {
    return root.resolve("keys").resolve("device.key");
  }

  /**
   * What {@link #identityFile()} records.
   *
   * @param createdHere the identity was created in this directory ({@code init}), so a node here
   *     may start its root log; false where it was joined, whose root log exists elsewhere
   */
  public record IdentityRecord(Identity identity, boolean createdHere) {}

  private static final String CREATED_LINE = "created";

  /** The identity of {@link #identityFile()}, if recorded. */
  public Optional<IdentityRecord> identityRecord() throws IOException {
    Path file = identityFile();
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    if (Files.size(file) > 1024) {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.NOT_AN_IDENTITY,
          file,
          "not an identity record (too large)",
          null);
    }
    List<String> lines = Files.readString(file, StandardCharsets.UTF_8).strip().lines().toList();
    boolean created = lines.size() == 2 && lines.get(1).strip().equals(CREATED_LINE);
    if (lines.isEmpty() || (lines.size() > 1 && !created)) {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.NOT_AN_IDENTITY,
          file,
          "not an identity record (an identity string, then `" + CREATED_LINE + "` or nothing)",
          null);
    }
    try {
      return Optional.of(new IdentityRecord(Identity.parse(lines.get(0).strip()), created));
    } catch (org.grapevine.protocol.identity.IdentityFormatException e) {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.NOT_AN_IDENTITY,
          file,
          "does not hold an identity string: " + e.getMessage(),
          e);
    }
  }

  /**
   * Writes {@link #identityFile()}, which must not exist yet: a directory belongs to one identity.
   *
   * @throws java.nio.file.FileAlreadyExistsException if it does
   */
  public void recordIdentity(IdentityRecord record) throws IOException {
    Files.createDirectories(identityFile().getParent());
    Files.writeString(
        Files.createFile(identityFile()),
        record.identity() + "\n" + (record.createdHere() ? CREATED_LINE + "\n" : ""),
        StandardCharsets.US_ASCII);
  }

  /**
   * Whether a key file of the identity ({@code root.key}, {@code device.key}) is sealed with a
   * passphrase.
   */
  public boolean keysSealed() throws IOException, KeyFileException {
    for (Path file : List.of(rootKeyFile(), deviceKeyFile())) {
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

  /**
   * A new identity ({@code grapevine init}): a device key (kept if one is there, from an init that
   * stopped halfway), a root key, the {@link #identityFile() record} and the network key, each
   * readable by its owner only. The device key first and the record last: an init that stops
   * halfway leaves no identity behind, or one that {@link #keys} records at the first start.
   *
   * @throws java.nio.file.FileAlreadyExistsException if the directory holds a root key or a record
   */
  public Keys createIdentity(List<String> created, char[] passphrase)
      throws IOException, KeyFileException {
    for (Path file : List.of(rootKeyFile(), identityFile())) {
      if (Files.exists(file)) {
        throw new java.nio.file.FileAlreadyExistsException(
            file.toString(), null, "this data directory already holds an identity");
      }
    }
    Files.createDirectories(rootKeyFile().getParent());
    SigningKey device =
        Files.exists(deviceKeyFile())
            ? openKey(deviceKeyFile(), KeyRole.KEY_ROLE_DEVICE, passphrase)
            : newKey(deviceKeyFile(), KeyRole.KEY_ROLE_DEVICE, passphrase, created);
    SigningKey rootKey = newKey(rootKeyFile(), KeyRole.KEY_ROLE_ROOT, passphrase, created);
    Identity identity = Identity.of(rootKey.publicKey());
    recordIdentity(new IdentityRecord(identity, true));
    created.add(identityFile() + " (the identity of this data directory)");
    return new Keys(identity, rootKey, device, peerKey(created));
  }

  /** {@link #keys(List, char[])} for keys that are not sealed. */
  public Keys keys(List<String> created) throws IOException, KeyFileException {
    return keys(created, null);
  }

  /**
   * The keys of the identity this directory belongs to ({@link #identityFile()}). Never creates a
   * root key, which would be a new identity ({@link #createIdentity} does, for {@code init}):
   * without {@code keys/root.key} the root key is offline and the keys have no root; the device key
   * then must be there. With the root key, a missing device key is created (the node delegates it).
   * A directory from before identities were recorded, holding both keys, gets its record here once,
   * and {@code created} says so. {@code created} collects what was created, for the user.
   *
   * @param passphrase opens sealed key files (and seals new ones); null for unsealed keys
   * @throws LocalKeyFileException if the directory holds no identity, the record is damaged, or a
   *     key file belongs to another identity (naming the file)
   * @throws KeyFileException {@code PASSPHRASE_REQUIRED} or {@code WRONG_PASSPHRASE} for sealed
   *     keys without the right passphrase, or a damaged file
   */
  public Keys keys(List<String> created, char[] passphrase) throws IOException, KeyFileException {
    Optional<IdentityRecord> record = identityRecord();
    Path rootFile = rootKeyFile();
    SigningKey rootKey =
        Files.exists(rootFile) ? openKey(rootFile, KeyRole.KEY_ROLE_ROOT, passphrase) : null;
    if (record.isEmpty()) {
      record = Optional.of(recordFromKeys(rootKey, created));
    }
    Identity identity = record.get().identity();
    if (rootKey != null && !identity.equals(Identity.of(rootKey.publicKey()))) {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.ROOT_KEY_OF_ANOTHER_IDENTITY,
          rootFile,
          "the root key of "
              + Identity.of(rootKey.publicKey())
              + ", but this data directory belongs to "
              + identity
              + " (recorded in "
              + identityFile()
              + "): put that identity's root key there, or move this one away",
          null);
    }
    SigningKey device;
    if (Files.exists(deviceKeyFile())) {
      device = openKey(deviceKeyFile(), KeyRole.KEY_ROLE_DEVICE, passphrase);
    } else if (rootKey != null) {
      device = newKey(deviceKeyFile(), KeyRole.KEY_ROLE_DEVICE, passphrase, created);
    } else {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.MISSING,
          deviceKeyFile(),
          "missing: the data directory "
              + root
              + " belongs to "
              + identity
              + " but holds no device key and no root key; import a device with `grapevine device import`",
          null);
    }
    return new Keys(identity, rootKey, device, peerKey(created));
  }

  /**
   * The record of a directory from before identities were recorded: its root key's identity,
   * created here (the old {@code init} and first {@code run} started the root log here), when both
   * keys are there; else the directory holds no identity to record.
   */
  private IdentityRecord recordFromKeys(SigningKey rootKey, List<String> created)
      throws IOException {
    if (rootKey == null || !Files.exists(deviceKeyFile())) {
      boolean empty = rootKey == null && !Files.exists(deviceKeyFile());
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.MISSING,
          identityFile(),
          empty
              ? "missing: the data directory "
                  + root
                  + " holds no identity; create one with `grapevine init`, or bring one with"
                  + " `grapevine identity import` or `grapevine device import`"
              : "missing, and "
                  + (rootKey == null ? rootKeyFile() : deviceKeyFile())
                  + " too, so the identity of "
                  + root
                  + " cannot be recorded: put the key file back (to bring an identity to a new"
                  + " data directory, use `grapevine identity import` there)",
          null);
    }
    IdentityRecord record = new IdentityRecord(Identity.of(rootKey.publicKey()), true);
    recordIdentity(record);
    created.add(
        identityFile()
            + " (the identity of this data directory, recorded once from "
            + rootKeyFile()
            + ": the directory is from before identities were recorded)");
    return record;
  }

  private PrivKey peerKey(List<String> created) throws IOException {
    Path peerFile = root.resolve("keys").resolve("peer.key");
    if (Files.exists(peerFile)) {
      try {
        return PrivKey.decode(readKeyFile(peerFile));
      } catch (org.grapevine.libp2p.crypto.PrivKeyFormatException e) {
        throw new LocalKeyFileException(
            LocalKeyFileException.Problem.NOT_A_LIBP2P_KEY,
            peerFile,
            "not a libp2p private key (" + e.getMessage() + ")",
            e);
      }
    }
    Files.createDirectories(peerFile.getParent());
    PrivKey peer = PrivKey.generate(RANDOM);
    writeOwnerOnly(peerFile, peer.encode());
    created.add(peerFile + " (network key)");
    return peer;
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

  private static SigningKey openKey(Path file, KeyRole role, char[] passphrase)
      throws IOException, KeyFileException {
    try {
      return KeyFile.read(readKeyFile(file), passphrase, role).signingKey();
    } catch (KeyFileException e) {
      // Same type and problem (callers branch on it), but naming the file that is wrong.
      throw new KeyFileException(e.problem(), file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a new file readable by its owner only; never overwrites. */
  private static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
    Path f =
        file.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createFile(file);
    Files.write(f, bytes);
  }

  /** A new key in a new file readable by its owner only; never overwrites. */
  private static SigningKey newKey(Path file, KeyRole role, char[] passphrase, List<String> created)
      throws IOException {
    SigningKey key = SigningKey.generate(RANDOM);
    writeOwnerOnly(
        file, KeyFile.write(TinkKeys.toKeyset(key), role, "grapevine", passphrase, RANDOM));
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
   * @param root null where the root key is offline (not in {@code keys/root.key}): a device that
   *     joined the identity without it, or a directory whose root key was moved away
   */
  public record Keys(Identity identity, SigningKey root, SigningKey device, PrivKey peer) {}
}
