package org.grapevine.protocol.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.proto.KeyRole;
import org.grapevine.protocol.proto.SealedKeyset;

/**
 * Key files: a Tink keyset with its role (root, device, peer), in the clear or sealed under a
 * passphrase. Also the export format of an identity (a root key file, preferably sealed).
 *
 * <pre>
 *   KeyFile { version 1, role, label, plain_keyset | sealed { argon2id params, salt, encrypted keyset } }
 *   wrapping key     = Argon2id(passphrase, salt, params)          32 bytes
 *   encrypted keyset = Tink EncryptedKeyset under AES-256-GCM(wrapping key),
 *                      associated data "grapevine/v1/keyfile/" || role number
 * </pre>
 *
 * The associated data binds the role: a sealed device key cannot be passed off as a root key by
 * editing the unencrypted role field. Reading is total over its input: any bytes give a keyset or a
 * {@link KeyFileException} saying what is wrong. Bytes only: files are the caller's to read.
 */
public final class KeyFile {
  /** Largest key file accepted; a one-key keyset sealed is about 200 bytes. */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  static final int VERSION = 1;
  static final int SALT_BYTES = 16;
  private static final int MIN_SALT_BYTES = 16;
  private static final int MAX_SALT_BYTES = 64;

  static {
    // Registers Tink's Ed25519 serialisation before any keyset is parsed. (A class literal such as
    // TinkKeys.class does not initialise the class: a fresh JVM reading a key file first got an
    // opaque legacy key back.)
    TinkKeys.ensureRegistered();
  }

  private KeyFile() {}

  /** What a key file holds. */
  public record Opened(KeysetHandle keyset, KeyRole role, String label, boolean sealed) {
    /** The Ed25519 signing key of the keyset's primary key. */
    public SigningKey signingKey() throws KeyFileException {
      return TinkKeys.signingKey(keyset);
    }
  }

  /**
   * Writes a key file; sealed with {@link Argon2Params#DEFAULT} when {@code passphrase} is not
   * null.
   */
  public static byte[] write(
      KeysetHandle keyset, KeyRole role, String label, char[] passphrase, SecureRandom random) {
    return write(keyset, role, label, passphrase, Argon2Params.DEFAULT, random);
  }

  public static byte[] write(
      KeysetHandle keyset,
      KeyRole role,
      String label,
      char[] passphrase,
      Argon2Params kdf,
      SecureRandom random) {
    if (role == KeyRole.KEY_ROLE_UNSPECIFIED || role == KeyRole.UNRECOGNIZED) {
      throw new IllegalArgumentException("a key file needs a role");
    }
    org.grapevine.protocol.proto.KeyFile.Builder file =
        org.grapevine.protocol.proto.KeyFile.newBuilder()
            .setVersion(VERSION)
            .setRole(role)
            .setLabel(label == null ? "" : label);
    try {
      if (passphrase == null) {
        file.setPlainKeyset(
            ByteString.copyFrom(
                TinkProtoKeysetFormat.serializeKeyset(
                    keyset, InsecureSecretKeyAccess.get(), RegistryConfiguration.get())));
      } else {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Aead aead = wrappingAead(passphrase, salt, kdf);
        file.setSealed(
            SealedKeyset.newBuilder()
                .setArgon2MemoryKib(kdf.memoryKib())
                .setArgon2Iterations(kdf.iterations())
                .setArgon2Parallelism(kdf.parallelism())
                .setSalt(ByteString.copyFrom(salt))
                .setEncryptedKeyset(
                    ByteString.copyFrom(
                        TinkProtoKeysetFormat.serializeEncryptedKeyset(
                            keyset, aead, associatedData(role), RegistryConfiguration.get()))));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not serialise a keyset", e);
    }
    return file.build().toByteArray();
  }

  /** Whether the file is sealed, so that a caller knows to ask for the passphrase first. */
  public static boolean isSealed(byte[] file) throws KeyFileException {
    return parse(file).hasSealed();
  }

  /**
   * Opens a key file.
   *
   * @param passphrase needed for a sealed file, ignored otherwise
   * @param expectedRole the role the caller needs; another role is an error
   */
  public static Opened read(byte[] fileBytes, char[] passphrase, KeyRole expectedRole)
      throws KeyFileException {
    org.grapevine.protocol.proto.KeyFile file = parse(fileBytes);
    if (file.getRole() != expectedRole) {
      throw new KeyFileException(
          KeyFileException.Problem.WRONG_ROLE,
          "this is a "
              + describe(file.getRole())
              + " file, not a "
              + describe(expectedRole)
              + " file");
    }
    try {
      switch (file.getKeysetCase()) {
        case PLAIN_KEYSET -> {
          KeysetHandle h =
              TinkProtoKeysetFormat.parseKeyset(
                  file.getPlainKeyset().toByteArray(),
                  InsecureSecretKeyAccess.get(),
                  RegistryConfiguration.get());
          return new Opened(h, file.getRole(), file.getLabel(), false);
        }
        case SEALED -> {
          return new Opened(unseal(file, passphrase), file.getRole(), file.getLabel(), true);
        }
        default ->
            throw new KeyFileException(
                KeyFileException.Problem.MALFORMED, "the key file holds no keyset");
      }
    } catch (GeneralSecurityException e) {
      throw new KeyFileException(
          KeyFileException.Problem.MALFORMED, "the keyset in the key file is damaged", e);
    }
  }

  private static KeysetHandle unseal(org.grapevine.protocol.proto.KeyFile file, char[] passphrase)
      throws KeyFileException {
    if (passphrase == null) {
      throw new KeyFileException(
          KeyFileException.Problem.PASSPHRASE_REQUIRED,
          "this key file is protected by a passphrase");
    }
    SealedKeyset s = file.getSealed();
    if (!Argon2Params.valid(
            s.getArgon2MemoryKib(), s.getArgon2Iterations(), s.getArgon2Parallelism())
        || s.getSalt().size() < MIN_SALT_BYTES
        || s.getSalt().size() > MAX_SALT_BYTES) {
      throw new KeyFileException(
          KeyFileException.Problem.BAD_KDF_PARAMETERS,
          "the key file asks for Argon2 memory "
              + Integer.toUnsignedString(s.getArgon2MemoryKib())
              + " KiB, "
              + Integer.toUnsignedString(s.getArgon2Iterations())
              + " passes, "
              + Integer.toUnsignedString(s.getArgon2Parallelism())
              + " lanes and a "
              + s.getSalt().size()
              + "-byte salt, outside what this reader accepts");
    }
    Argon2Params kdf =
        new Argon2Params(s.getArgon2MemoryKib(), s.getArgon2Iterations(), s.getArgon2Parallelism());
    Aead aead;
    try {
      aead = wrappingAead(passphrase, s.getSalt().toByteArray(), kdf);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is unavailable", e);
    }
    try {
      return TinkProtoKeysetFormat.parseEncryptedKeyset(
          s.getEncryptedKeyset().toByteArray(),
          aead,
          associatedData(file.getRole()),
          RegistryConfiguration.get());
    } catch (GeneralSecurityException e) {
      // GCM cannot tell a wrong passphrase from a damaged file; a wrong passphrase is by far the
      // likelier, and the message says both.
      throw new KeyFileException(
          KeyFileException.Problem.WRONG_PASSPHRASE,
          "wrong passphrase (or the key file was altered)",
          e);
    }
  }

  private static org.grapevine.protocol.proto.KeyFile parse(byte[] bytes) throws KeyFileException {
    if (bytes.length > MAX_FILE_BYTES) {
      throw new KeyFileException(
          KeyFileException.Problem.TOO_LARGE,
          "a key file is at most "
              + MAX_FILE_BYTES
              + " bytes; this one is "
              + bytes.length
              + " (is it the right file?)");
    }
    org.grapevine.protocol.proto.KeyFile file;
    try {
      file = org.grapevine.protocol.proto.KeyFile.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new KeyFileException(
          KeyFileException.Problem.MALFORMED, "not a Grapevine key file (it does not decode)", e);
    }
    if (file.getVersion() != VERSION) {
      throw new KeyFileException(
          KeyFileException.Problem.UNSUPPORTED_VERSION,
          file.getVersion() == 0
              ? "not a Grapevine key file (no version)"
              : "key file version "
                  + Integer.toUnsignedString(file.getVersion())
                  + " is newer than this Grapevine");
    }
    return file;
  }

  private static Aead wrappingAead(char[] passphrase, byte[] salt, Argon2Params kdf)
      throws GeneralSecurityException {
    byte[] key = kdf.deriveKey(passphrase, salt);
    try {
      return new AesGcmJce(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] associatedData(KeyRole role) {
    return ("grapevine/v1/keyfile/" + role.getNumber()).getBytes(StandardCharsets.US_ASCII);
  }

  private static String describe(KeyRole role) {
    return switch (role) {
      case KEY_ROLE_ROOT -> "root (identity) key";
      case KEY_ROLE_DEVICE -> "device key";
      case KEY_ROLE_PEER -> "peer (libp2p) key";
      default -> "key of unknown role";
    };
  }
}
