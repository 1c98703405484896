package org.grapevine.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("config.toml");
  }

  private NodeConfig parse(String text) throws ConfigException {
    return ConfigFile.parse(file(), text, dir);
  }

  @Test
  void defaultText_asWritten_parsesToDefaults() throws Exception {
    assertThat(parse(ConfigFile.defaultText())).isEqualTo(NodeConfig.defaults());
  }

  @Test
  void defaultText_everyOptionUncommented_parsesToDefaults() throws Exception {
    String uncommented = ConfigFile.defaultText().replaceAll("(?m)^# ([a-z_]+ = .*)$", "$1");
    assertThat(uncommented)
        .contains("\nport = 7320\n")
        .contains("\nhost = \"0.0.0.0\"\n")
        .contains("identity_quota_bytes = ");
    assertThat(parse(uncommented)).isEqualTo(NodeConfig.defaults());
  }

  @Test
  void defaultText_documentsEveryOption() {
    String text = ConfigFile.defaultText();
    for (String option :
        List.of(
            "host",
            "port",
            "bootstrap",
            "mdns",
            "swarm_key",
            "target_connections",
            "max_connections",
            "interval_seconds",
            "identity_quota_bytes",
            "attachment_max_bytes")) {
      assertThat(text).containsPattern("(?m)^# [A-Z].*\\n(# .*\\n)*# " + option + " = ");
    }
  }

  @Test
  void parse_setValues_areUsed() throws Exception {
    NodeConfig c =
        parse(
            """
        [network]
        host = "127.0.0.1"
        port = 4001
        bootstrap = ["/ip4/127.0.0.1/tcp/4002"]
        mdns = false
        swarm_key = "swarm.key"
        target_connections = 2
        max_connections = 3
        announce_follows = false
        [api]
        port = 0
        [sync]
        interval_seconds = 5
        [budgets]
        identity_quota_bytes = 1048576
        attachment_max_bytes = 10
        [dht]
        mode = "client"
        topic_peers = 6
        [nat]
        autonat = false
        autonat_confidence = 1
        relay_service = "on"
        relays = 0
        hole_punch = false
        """);
    assertThat(c.network())
        .isEqualTo(
            new NodeConfig.Network(
                "127.0.0.1",
                4001,
                List.of("/ip4/127.0.0.1/tcp/4002"),
                false,
                dir.resolve("swarm.key").toAbsolutePath(),
                2,
                3));
    assertThat(c.api().port()).isZero();
    assertThat(c.sync().interval()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(c.budgets()).isEqualTo(new NodeConfig.Budgets(1 << 20, 10));
    assertThat(c.dht()).isEqualTo(new NodeConfig.Dht(NodeConfig.DhtMode.CLIENT, 6, false));
    assertThat(c.nat())
        .isEqualTo(new NodeConfig.Nat(false, 1, NodeConfig.RelayService.ON, 0, false));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      unknown section         | [netwrk]\\nport = 1                      | netwrk                   | unknown section
      unknown option          | [network]\\nprot = 1                     | network.prot             | unknown option; [network] knows host, port
      top-level value         | port = 1                                 | port                     | unknown option
      section as value        | network = 1                              | network                  | must be a section
      wrong type              | [network]\\nport = "4001"                | network.port             | must be an integer from 0 to 65535, got "4001"
      float for integer       | [api]\\nport = 1.5                       | api.port                 | must be an integer
      out of range            | [network]\\nport = 70000                 | network.port             | must be an integer from 0 to 65535, got 70000
      negative                | [sync]\\ninterval_seconds = -1           | sync.interval_seconds    | from 1 to 86400
      huge                    | [budgets]\\nidentity_quota_bytes = 99999999999999999999 | budgets.identity_quota_bytes | must be an integer
      bad bool                | [network]\\nmdns = "yes"                 | network.mdns             | must be true or false
      bad host                | [network]\\nhost = "localhost"           | network.host             | must be an IP address
      bad bootstrap           | [network]\\nbootstrap = ["nope"]         | network.bootstrap        | "nope" is not a multiaddr
      bootstrap not list      | [network]\\nbootstrap = "/ip4/1.2.3.4"   | network.bootstrap        | must be a list
      bad dht mode            | [dht]\\nmode = "sometimes"               | dht.mode                 | must be "auto", "server", "client" or "off", got "sometimes"
      too many topic peers    | [dht]\\ntopic_peers = 65                 | dht.topic_peers          | from 0 to 64
      bad relay service       | [nat]\\nrelay_service = "yes"           | nat.relay_service        | must be "auto", "on" or "off", got "yes"
      too many relays         | [nat]\\nrelays = 9                      | nat.relays               | from 0 to 8
      zero confidence         | [nat]\\nautonat_confidence = 0          | nat.autonat_confidence   | from 1 to 8
      target over max         | [network]\\ntarget_connections = 9\\nmax_connections = 8 | network.target_connections | from 0 to 8
      """)
  void parse_badOption_namesOptionAndFix(String name, String toml, String key, String problem) {
    assertThatThrownBy(() -> parse(toml.replace("\\n", "\n")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.key()).isEqualTo(key);
              assertThat(e.file()).isEqualTo(file());
              assertThat(e.getMessage()).startsWith(file() + ": " + key + ": ").contains(problem);
            });
  }

  @Test
  void parse_notToml_saysWhereAndWhatToDo() {
    assertThatThrownBy(() -> parse("[network\nport = 1\n"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.key()).isNull();
              assertThat(e.getMessage())
                  .startsWith(file() + ": is not valid TOML at line 1")
                  .contains("delete the file");
            });
  }

  @Test
  void parse_duplicateKey_isRefused() {
    assertThatThrownBy(() -> parse("[api]\nport = 1\nport = 2\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not valid TOML");
  }

  @Test
  void read_oversizeFile_isRefusedBeforeParsing() throws Exception {
    Files.writeString(file(), "#".repeat(ConfigFile.MAX_FILE_BYTES + 1));
    assertThatThrownBy(() -> ConfigFile.read(file(), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("more than the " + ConfigFile.MAX_FILE_BYTES);
  }

  @Test
  void read_missingFile_saysSo() {
    assertThatThrownBy(() -> ConfigFile.read(file(), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file() + ": does not exist");
  }

  @Test
  void read_unreadableFile_saysSo() throws Exception {
    Files.createDirectory(
        file()); // A directory where the file should be: reading fails on every OS.
    assertThatThrownBy(() -> ConfigFile.read(file(), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void read_invalidUtf8_isNotToml() throws Exception {
    Files.write(
        file(),
        new byte[] {
          '[', 'a', 'p', 'i', ']', '\n', 'p', 'o', 'r', 't', '=', '"', (byte) 0xff, '"', '\n'
        });
    assertThatThrownBy(() -> ConfigFile.read(file(), dir)).isInstanceOf(ConfigException.class);
  }
}
