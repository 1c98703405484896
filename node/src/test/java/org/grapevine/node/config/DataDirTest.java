package org.grapevine.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    DataDir.Keys first = d.keys(new ArrayList<>(), pass);
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
  void keys_joinedIdentityWithoutRootKey_createsNoRootAndReturnsNone() throws Exception {
    DataDir origin = new DataDir(dir.resolve("a"));
    DataDir.Keys a = origin.keys(new ArrayList<>());
    DataDir d = new DataDir(dir.resolve("b"));
    Files.createDirectories(d.identityFile().getParent());
    Files.writeString(d.identityFile(), a.identity() + "\n");
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("device import");
    Files.copy(origin.path().resolve("keys/device.key"), d.path().resolve("keys/device.key"));

    List<String> created = new ArrayList<>();
    DataDir.Keys b = d.keys(created);
    assertThat(b.root()).isNull();
    assertThat(b.identity()).isEqualTo(a.identity());
    assertThat(d.path().resolve("keys/root.key")).doesNotExist();
    assertThat(created).singleElement().asString().contains("peer.key");
    assertThat(d.joinedIdentity()).contains(a.identity());
  }

  @Test
  void keys_joinedIdentityFileDisagreesWithRootKey_refuses() throws Exception {
    DataDir d = new DataDir(dir);
    d.keys(new ArrayList<>());
    Files.writeString(
        d.identityFile(),
        new DataDir(dir.resolve("other")).keys(new ArrayList<>()).identity() + "\n");
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("belongs to");
    Files.writeString(d.identityFile(), "gv1 not an identity\n");
    assertThatThrownBy(() -> d.keys(new ArrayList<>()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("identity string");
  }
}
