package org.grapevine.protocol.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.crypto.tink.KeysetHandle;
import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.proto.KeyRole;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class KeyFileTest {
  /** Cheap Argon2 for tests; the format stores the parameters, so reading is unaffected. */
  private static final Argon2Params FAST = new Argon2Params(64, 1, 1);

  private static final SecureRandom RANDOM = new SecureRandom();
  private final SigningKey root = TestAuthors.key("alice/root");

  @Test
  void plainFile_roundTripsTheSigningKey() throws Exception {
    byte[] file =
        KeyFile.write(TinkKeys.toKeyset(root), KeyRole.KEY_ROLE_ROOT, "alice", null, RANDOM);
    KeyFile.Opened opened = KeyFile.read(file, null, KeyRole.KEY_ROLE_ROOT);
    assertThat(opened.sealed()).isFalse();
    assertThat(opened.label()).isEqualTo("alice");
    assertThat(opened.signingKey().publicKey()).isEqualTo(root.publicKey());
    assertThat(opened.signingKey().seed()).isEqualTo(root.seed());
  }

  @Test
  void sealedFile_rightPassphrase_opens() throws Exception {
    byte[] file =
        KeyFile.write(
            TinkKeys.toKeyset(root),
            KeyRole.KEY_ROLE_ROOT,
            "alice",
            "correct horse".toCharArray(),
            FAST,
            RANDOM);
    assertThat(KeyFile.isSealed(file)).isTrue();
    KeyFile.Opened opened =
        KeyFile.read(file, "correct horse".toCharArray(), KeyRole.KEY_ROLE_ROOT);
    assertThat(opened.sealed()).isTrue();
    assertThat(opened.signingKey().publicKey()).isEqualTo(root.publicKey());
  }

  @Test
  void sealedFile_doesNotContainTheSeed() {
    byte[] file =
        KeyFile.write(
            TinkKeys.toKeyset(root), KeyRole.KEY_ROLE_ROOT, "", "pw".toCharArray(), FAST, RANDOM);
    assertThat(indexOf(file, root.seed())).isEqualTo(-1);
    byte[] plain = KeyFile.write(TinkKeys.toKeyset(root), KeyRole.KEY_ROLE_ROOT, "", null, RANDOM);
    assertThat(indexOf(plain, root.seed())).isNotEqualTo(-1); // The check above can fail.
  }

  @Test
  void sealedFile_wrongOrMissingPassphrase_clearError() {
    byte[] file =
        KeyFile.write(
            TinkKeys.toKeyset(root),
            KeyRole.KEY_ROLE_ROOT,
            "",
            "right".toCharArray(),
            FAST,
            RANDOM);
    KeyFileException wrong =
        catchThrowableOfType(
            KeyFileException.class,
            () -> KeyFile.read(file, "wrong".toCharArray(), KeyRole.KEY_ROLE_ROOT));
    assertThat(wrong.problem()).isEqualTo(KeyFileException.Problem.WRONG_PASSPHRASE);
    assertThat(wrong.getMessage()).contains("wrong passphrase");
    KeyFileException missing =
        catchThrowableOfType(
            KeyFileException.class, () -> KeyFile.read(file, null, KeyRole.KEY_ROLE_ROOT));
    assertThat(missing.problem()).isEqualTo(KeyFileException.Problem.PASSPHRASE_REQUIRED);
  }

  @Test
  void file_wrongRole_refused() {
    byte[] file = KeyFile.write(TinkKeys.toKeyset(root), KeyRole.KEY_ROLE_DEVICE, "", null, RANDOM);
    KeyFileException e =
        catchThrowableOfType(
            KeyFileException.class, () -> KeyFile.read(file, null, KeyRole.KEY_ROLE_ROOT));
    assertThat(e.problem()).isEqualTo(KeyFileException.Problem.WRONG_ROLE);
    assertThat(e.getMessage()).contains("device key").contains("root");
  }

  @Test
  void sealedFile_roleFieldEdited_refusedBecauseRoleIsBound() throws Exception {
    byte[] file =
        KeyFile.write(
            TinkKeys.toKeyset(root), KeyRole.KEY_ROLE_DEVICE, "", "pw".toCharArray(), FAST, RANDOM);
    byte[] edited =
        org.grapevine.protocol.proto.KeyFile.parseFrom(file).toBuilder()
            .setRole(KeyRole.KEY_ROLE_ROOT)
            .build()
            .toByteArray();
    KeyFileException e =
        catchThrowableOfType(
            KeyFileException.class,
            () -> KeyFile.read(edited, "pw".toCharArray(), KeyRole.KEY_ROLE_ROOT));
    assertThat(e.problem()).isEqualTo(KeyFileException.Problem.WRONG_PASSPHRASE);
  }

  @Test
  void sealedFile_hostileKdfParameters_refusedBeforeDeriving() throws Exception {
    byte[] file =
        KeyFile.write(
            TinkKeys.toKeyset(root), KeyRole.KEY_ROLE_ROOT, "", "pw".toCharArray(), FAST, RANDOM);
    org.grapevine.protocol.proto.KeyFile parsed =
        org.grapevine.protocol.proto.KeyFile.parseFrom(file);
    byte[] hostile =
        parsed.toBuilder()
            .setSealed(parsed.getSealed().toBuilder().setArgon2MemoryKib(Integer.MAX_VALUE))
            .build()
            .toByteArray();
    KeyFileException e =
        catchThrowableOfType(
            KeyFileException.class,
            () -> KeyFile.read(hostile, "pw".toCharArray(), KeyRole.KEY_ROLE_ROOT));
    assertThat(e.problem()).isEqualTo(KeyFileException.Problem.BAD_KDF_PARAMETERS);
  }

  @Test
  void file_notAKeyFile_clearError() {
    KeyFileException e =
        catchThrowableOfType(
            KeyFileException.class,
            () ->
                KeyFile.read(
                    "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    null,
                    KeyRole.KEY_ROLE_ROOT));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("not a Grapevine key file");
    KeyFileException big =
        catchThrowableOfType(
            KeyFileException.class,
            () -> KeyFile.read(new byte[KeyFile.MAX_FILE_BYTES + 1], null, KeyRole.KEY_ROLE_ROOT));
    assertThat(big.problem()).isEqualTo(KeyFileException.Problem.TOO_LARGE);
  }

  @Test
  void keyset_notEd25519_refused() throws Exception {
    com.google.crypto.tink.aead.AeadConfig.register();
    KeysetHandle aes =
        KeysetHandle.generateNew(
            com.google.crypto.tink.aead.PredefinedAeadParameters.AES128_GCM,
            com.google.crypto.tink.RegistryConfiguration.get());
    byte[] file = KeyFile.write(aes, KeyRole.KEY_ROLE_ROOT, "", null, RANDOM);
    KeyFileException e =
        catchThrowableOfType(
            KeyFileException.class,
            () -> KeyFile.read(file, null, KeyRole.KEY_ROLE_ROOT).signingKey());
    assertThat(e.problem()).isEqualTo(KeyFileException.Problem.NOT_AN_ED25519_KEY);
  }

  @Property(tries = 1000)
  void read_anyBytes_keysetOrTypedError(@ForAll @Size(max = 300) byte[] input) {
    try {
      KeyFile.read(input, "pw".toCharArray(), KeyRole.KEY_ROLE_ROOT);
    } catch (KeyFileException expected) {
      assertThat(expected.problem()).isNotNull();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
