package org.grapevine.cli.keys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PrivKeyFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.config.DataDir;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.keys.KeyFile;
import org.grapevine.protocol.keys.KeyFileException;
import org.grapevine.protocol.keys.TinkKeys;
import org.grapevine.protocol.proto.KeyRole;

/**
 * The key files of a data directory as {@link DataDir} lays them out ({@code keys/root.key}, {@code
 * keys/device.key}, {@code keys/peer.key}), read and written by the commands that work without a
 * node: init, identity, device, whoami. Every problem is a {@link CliException} that names the file
 * and what to do.
 */
public final class LocalKeys {
  static final SecureRandom RANDOM = new SecureRandom();

  private LocalKeys() {}

  public static Path rootFile(DataDir dir) {
    return dir.rootKeyFile();
  }

  public static Path deviceFile(DataDir dir) {
    return dir.deviceKeyFile();
  }

  static Path peerFile(DataDir dir) {
    return dir.path().resolve("keys").resolve("peer.key");
  }

  static byte[] readBytes(Path file, String missingHint) throws CliException {
    try {
      if (Files.size(file) > KeyFile.MAX_FILE_BYTES) {
        throw new CliException(
            file
                + " is larger than any key file ("
                + KeyFile.MAX_FILE_BYTES
                + " bytes); is it the right file?");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CliException(file + " does not exist" + missingHint);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  static boolean sealed(Path file) throws CliException {
    try {
      return KeyFile.isSealed(readBytes(file, ""));
    } catch (KeyFileException e) {
      throw new CliException(file + ": " + e.getMessage());
    }
  }

  static boolean sealedIfExists(Path file) throws CliException {
    return Files.exists(file) && sealed(file);
  }

  /** Supplies a passphrase only when it is needed. */
  @FunctionalInterface
  public interface PassphraseSupplier {
    char[] get() throws CliException;
  }

  /**
   * The identity of a data directory: the one recorded in {@code keys/identity}, or, in a directory
   * from before identities were recorded, that of its root key.
   */
  public static org.grapevine.protocol.identity.Identity identity(
      DataDir dir, PassphraseSupplier passphrase) throws CliException {
    try {
      java.util.Optional<DataDir.IdentityRecord> recorded = dir.identityRecord();
      if (recorded.isPresent()) {
        return recorded.get().identity();
      }
    } catch (IOException e) {
      throw new CliException(e.getMessage());
    }
    return org.grapevine.protocol.identity.Identity.of(
        read(
                rootFile(dir),
                KeyRole.KEY_ROLE_ROOT,
                passphrase.get(),
                "; is " + dir.path() + " the right data directory? (`grapevine init` creates one)")
            .publicKey());
  }

  /** Opens a key file; a sealed one needs {@code passphrase}. */
  public static SigningKey read(Path file, KeyRole role, char[] passphrase, String missingHint)
      throws CliException {
    byte[] bytes = readBytes(file, missingHint);
    try {
      return KeyFile.read(bytes, passphrase, role).signingKey();
    } catch (KeyFileException e) {
      throw switch (e.problem()) {
        case PASSPHRASE_REQUIRED ->
            new CliException(
                file
                    + " is sealed with a passphrase; give it with --passphrase-file FILE, $"
                    + Passphrases.ENV
                    + " or --passphrase");
        case WRONG_PASSPHRASE ->
            new CliException(
                "wrong passphrase for " + file + " (or the file was altered); try again");
        default -> new CliException(file + ": " + e.getMessage());
      };
    }
  }

  /** Writes a new key file readable by its owner only; never overwrites. */
  static void write(Path file, SigningKey key, KeyRole role, char[] passphrase)
      throws CliException {
    writeNew(file, KeyFile.write(TinkKeys.toKeyset(key), role, "grapevine", passphrase, RANDOM));
  }

  /**
   * Records the identity of a data directory that joined it ({@code keys/identity}, a new file):
   * its root log is elsewhere, so no node here starts one.
   */
  static void writeIdentity(DataDir dir, org.grapevine.protocol.identity.Identity identity)
      throws CliException {
    try {
      dir.recordIdentity(new DataDir.IdentityRecord(identity, false));
    } catch (FileAlreadyExistsException e) {
      throw new CliException(
          dir.identityFile()
              + " already exists; move it away or choose another name (nothing was overwritten)");
    } catch (IOException e) {
      throw new CliException("cannot write " + dir.identityFile() + ": " + e.getMessage());
    }
  }

  /**
   * The root key of {@code dir}, for the commands that sign with it (device add and revoke,
   * identity export).
   *
   * @throws CliException with {@link org.grapevine.cli.ExitCode#ROOT_KEY_OFFLINE} if the file is
   *     not there: the directory still works as its identity's device, but not for these
   */
  static SigningKey rootKey(DataDir dir, char[] passphrase) throws CliException {
    if (!Files.exists(rootFile(dir))) {
      throw rootKeyOffline(dir);
    }
    return read(rootFile(dir), KeyRole.KEY_ROLE_ROOT, passphrase, "");
  }

  static CliException rootKeyOffline(DataDir dir) {
    return new CliException(
        "the root key is offline: bring it back with `grapevine identity import` (its key file, or"
            + " --phrase WORDS"
            + InitCommand.flag(dir)
            + "), or run this where it is; "
            + rootFile(dir)
            + " is not here. Only adding or revoking devices and exporting the identity need it",
        org.grapevine.cli.ExitCode.ROOT_KEY_OFFLINE);
  }

  static void writeNew(Path file, byte[] bytes) throws CliException {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Path f =
          file.getFileSystem().supportedFileAttributeViews().contains("posix")
              ? Files.createFile(
                  file,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createFile(file);
      Files.write(f, bytes);
    } catch (FileAlreadyExistsException e) {
      throw new CliException(
          file + " already exists; move it away or choose another name (nothing was overwritten)");
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage());
    }
  }

  /** The libp2p key, created when missing (as {@link DataDir#keys} does). */
  public static PeerId peer(DataDir dir, boolean create) throws CliException {
    Path file = peerFile(dir);
    if (!Files.exists(file) && create) {
      writeNew(file, PrivKey.generate(RANDOM).encode());
    }
    try {
      return PeerId.fromPubKey(PrivKey.decode(readBytes(file, "")).publicKey());
    } catch (
        PrivKeyFormatException e) { // Our own file: a local problem, named for the person to fix.
      throw new CliException(file + " is not a libp2p private key: " + e.getMessage());
    }
  }

  /** A passphrase from the command line: null when not given; an empty one is refused. */
  static char[] passphrase(char[] given) throws CliException {
    if (given != null && given.length == 0) {
      throw new CliException(
          "the passphrase is empty; give one, or leave out --passphrase for unsealed keys");
    }
    return given;
  }
}
