package org.grapevine.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
  @TempDir Path dir;

  @Test
  void config_firstRun_writesDefaultsAndSaysSo() throws Exception {
    DataDir d = new DataDir(dir.resolve("data"));
    List<String> created = new ArrayList<>();
    assertThat(d.config(created)).isEqualTo(NodeConfig.defaults());
    assertThat(created).singleElement().asString().startsWith(d.configFile().toString());
    assertThat(Files.readString(d.configFile())).isEqualTo(ConfigFile.defaultText());

    List<String> again = new ArrayList<>();
    d.config(again);
    assertThat(again).isEmpty();
  }

  @Test
  void config_editedFile_isRead() throws Exception {
    DataDir d = new DataDir(dir);
    Files.writeString(d.configFile(), "[api]\nport = 0\n");
    assertThat(d.config(new ArrayList<>()).api().port()).isZero();
  }

  @Test
  void apiToken_firstRun_createsOwnerOnlyHexToken_thenReusesIt() throws Exception {
    DataDir d = new DataDir(dir);
    List<String> created = new ArrayList<>();
    String token = d.apiToken(created);
    assertThat(token).matches("[0-9a-f]{64}");
    assertThat(created).singleElement().asString().contains("api.token");
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.apiTokenFile())))
          .isEqualTo("rw-------");
    }
    List<String> again = new ArrayList<>();
    assertThat(d.apiToken(again)).isEqualTo(token);
    assertThat(again).isEmpty();
  }

  @Test
  void apiToken_corruptFile_saysToDeleteIt() throws Exception {
    DataDir d = new DataDir(dir);
    Files.writeString(d.apiTokenFile(), "not a token");
    assertThatThrownBy(() -> d.apiToken(new ArrayList<>()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("delete it");
  }

  @Test
  void keys_sealedWithPassphrase_openOnlyWithIt() throws Exception {
    DataDir d = new DataDir(dir);
    char[] pass = "correct horse".toCharArray();
    DataDir.Keys first = d.createIdentity(new ArrayList<>(), pass);
    assertThat(d.keysSealed()).isTrue();
    assertThat(d.keys(new ArrayList<>(), pass).identity()).isEqualTo(first.identity());
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOfSatisfying(
            org.grapevine.protocol.keys.KeyFileException.class,
            e ->
                assertThat(e.problem())
                    .isEqualTo(
                        org.grapevine.protocol.keys.KeyFileException.Problem.PASSPHRASE_REQUIRED));
    assertThatThrownBy(() -> d.keys(new ArrayList<>(), "wrong".toCharArray()))
        .isInstanceOfSatisfying(
            org.grapevine.protocol.keys.KeyFileException.class,
            e ->
                assertThat(e.problem())
                    .isEqualTo(
                        org.grapevine.protocol.keys.KeyFileException.Problem.WRONG_PASSPHRASE));
  }

  @Test
  void createIdentity_recordsItAsCreatedHere_ownerOnlyFiles_andRefusesASecond() throws Exception {
    DataDir d = new DataDir(dir.resolve("data"));
    List<String> created = new ArrayList<>();
    DataDir.Keys keys = d.createIdentity(created, null);
    assertThat(d.identityRecord()).contains(new DataDir.IdentityRecord(keys.identity(), true));
    assertThat(created).hasSize(4);
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      for (String f : List.of("root.key", "device.key", "peer.key")) {
        assertThat(
                PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(d.path().resolve("keys").resolve(f))))
            .isEqualTo("rw-------");
      }
    }
    assertThatThrownBy(() -> d.createIdentity(new ArrayList<>(), null))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(d.keys(new ArrayList<>()).identity()).isEqualTo(keys.identity());
  }

  @Test
  void keys_emptyDirectory_refusesAndCreatesNothing() {
    DataDir d = new DataDir(dir.resolve("data"));
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOfSatisfying(
            LocalKeyFileException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(LocalKeyFileException.Problem.MISSING);
              assertThat(e.file()).isEqualTo(d.identityFile());
            })
        .hasMessageContaining("grapevine init");
    assertThat(d.path()).doesNotExist();
  }

  @Test
  void keys_rootKeyMovedAway_sameIdentityWithoutRoot_andNoKeyCreated() throws Exception {
    DataDir d = new DataDir(dir.resolve("data"));
    DataDir.Keys keys = d.createIdentity(new ArrayList<>(), null);
    Files.move(d.rootKeyFile(), dir.resolve("usb-root.key"));

    List<String> created = new ArrayList<>();
    DataDir.Keys offline = d.keys(created);
    assertThat(offline.identity()).isEqualTo(keys.identity());
    assertThat(offline.root()).isNull();
    assertThat(offline.device().publicKey()).isEqualTo(keys.device().publicKey());
    assertThat(created).isEmpty();
    assertThat(d.rootKeyFile()).doesNotExist();
  }

  @Test
  void keys_directoryFromBeforeRecords_recordsItsRootKeysIdentityOnceAndSaysSo() throws Exception {
    DataDir d = new DataDir(dir.resolve("data"));
    DataDir.Keys keys = d.createIdentity(new ArrayList<>(), null);
    Files.delete(d.identityFile()); // What init and run left before identities were recorded.

    List<String> created = new ArrayList<>();
    assertThat(d.keys(created).identity()).isEqualTo(keys.identity());
    assertThat(created).singleElement().asString().startsWith(d.identityFile().toString());
    assertThat(d.identityRecord()).contains(new DataDir.IdentityRecord(keys.identity(), true));
    List<String> again = new ArrayList<>();
    d.keys(again);
    assertThat(again).isEmpty();

    // Only one key and no record: nothing to record from, nothing created.
    Files.delete(d.identityFile());
    Files.move(d.rootKeyFile(), dir.resolve("usb-root.key"));
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOfSatisfying(
            LocalKeyFileException.class,
            e -> assertThat(e.problem()).isEqualTo(LocalKeyFileException.Problem.MISSING))
        .hasMessageContaining(d.rootKeyFile().toString());
    assertThat(d.rootKeyFile()).doesNotExist();
    assertThat(d.identityFile()).doesNotExist();
  }

  @Test
  void keys_joinedIdentityWithoutRootKey_createsNoRootAndReturnsNone() throws Exception {
    DataDir origin = new DataDir(dir.resolve("a"));
    DataDir.Keys a = origin.createIdentity(new ArrayList<>(), null);
    DataDir d = new DataDir(dir.resolve("b"));
    d.recordIdentity(new DataDir.IdentityRecord(a.identity(), false));
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOfSatisfying(
            LocalKeyFileException.class, e -> assertThat(e.file()).isEqualTo(d.deviceKeyFile()))
        .hasMessageContaining("device import");
    Files.copy(origin.deviceKeyFile(), d.deviceKeyFile());

    List<String> created = new ArrayList<>();
    DataDir.Keys b = d.keys(created);
    assertThat(b.root()).isNull();
    assertThat(b.identity()).isEqualTo(a.identity());
    assertThat(d.rootKeyFile()).doesNotExist();
    assertThat(created).singleElement().asString().contains("peer.key");
    assertThat(d.identityRecord()).contains(new DataDir.IdentityRecord(a.identity(), false));
  }

  @Test
  void keys_rootKeyOfAnotherIdentity_refusesNamingTheRootKeyFile() throws Exception {
    DataDir d = new DataDir(dir.resolve("data"));
    DataDir.Keys mine = d.createIdentity(new ArrayList<>(), null);
    DataDir other = new DataDir(dir.resolve("other"));
    other.createIdentity(new ArrayList<>(), null);
    Files.move(other.rootKeyFile(), d.rootKeyFile(), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOfSatisfying(
            LocalKeyFileException.class,
            e -> {
              assertThat(e.problem())
                  .isEqualTo(LocalKeyFileException.Problem.ROOT_KEY_OF_ANOTHER_IDENTITY);
              assertThat(e.file()).isEqualTo(d.rootKeyFile());
            })
        .hasMessageContaining("belongs to " + mine.identity())
        .hasMessageContaining(d.identityFile().toString());
  }

  @Test
  void keys_damagedIdentityRecord_refusesNamingIt() throws Exception {
    DataDir d = new DataDir(dir.resolve("data"));
    d.createIdentity(new ArrayList<>(), null);
    for (String text : List.of("gv1 not an identity\n", "", "gv1x\nsomething else\n")) {
      Files.writeString(d.identityFile(), text);
      assertThatThrownBy(() -> d.keys(new ArrayList<>()))
          .isInstanceOfSatisfying(
              LocalKeyFileException.class,
              e -> {
                assertThat(e.problem()).isEqualTo(LocalKeyFileException.Problem.NOT_AN_IDENTITY);
                assertThat(e.file()).isEqualTo(d.identityFile());
              });
    }
  }
}
