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
  @TempDir
  Path dir;

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
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.apiTokenFile()))).isEqualTo("rw-------");
    }
    List<String> again = new ArrayList<>();
    assertThat(d.apiToken(again)).isEqualTo(token);
    assertThat(again).isEmpty();
  }

  @Test
  void apiToken_corruptFile_saysToDeleteIt() throws Exception {
    DataDir d = new DataDir(dir);
    Files.writeString(d.apiTokenFile(), "not a token");
    assertThatThrownBy(() -> d.apiToken(new ArrayList<>())).isInstanceOf(IOException.class)
        .hasMessageContaining("delete it");
  }
}
