package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.node.config.ConfigFile;
import org.grapevine.node.config.DataDir;
import org.grapevine.protocol.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The commands that need no node, and what every node command says when there is none. */
class OfflineCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private int run(String... args) {
    return Main.execute(args);
  }

  private JsonNode json() throws Exception {
    return JSON.readTree(std.out());
  }

  private String initJson(Path dir, String... more) throws Exception {
    String[] args = new String[3 + more.length];
    args[0] = "init";
    args[1] = "--data-dir=" + dir;
    args[2] = "--json";
    System.arraycopy(more, 0, args, 3, more.length);
    assertThat(run(args)).as(std.err()).isZero();
    String identity = json().path("identity").asText();
    std.reset();
    return identity;
  }

  @Test
  void init_newDirectory_createsKeysConfigTokenAndPrintsIdentity() {
    Path dir = tmp.resolve("alice");
    assertThat(run("init", "--data-dir", dir.toString())).as(std.err()).isZero();
    assertThat(std.out())
        .containsPattern("identity:  gv1[a-z0-9]{59}")
        .contains("identity export")
        .contains("grapevine run --data-dir " + dir);
    assertThat(dir.resolve("keys/root.key")).exists();
    assertThat(dir.resolve("keys/device.key")).exists();
    assertThat(dir.resolve("keys/peer.key")).exists();
    assertThat(dir.resolve("config.toml")).exists();
    assertThat(dir.resolve("api.token")).exists();
  }

  @Test
  void init_json_parsesAndAgreesWithDataDirKeys() throws Exception {
    Path dir = tmp.resolve("alice");
    assertThat(run("init", "--data-dir", dir.toString(), "--json")).isZero();
    JsonNode j = json();
    // The node reads the same keys: DataDir gives the same identity.
    assertThat(j.path("identity").asText())
        .isEqualTo(new DataDir(dir).keys(new java.util.ArrayList<>()).identity().toString());
    assertThat(j.path("sealed").asBoolean()).isFalse();
    assertThat(j.path("peer_id").asText()).startsWith("12D3KooW");
  }

  @Test
  void init_twice_refusesAndKeepsTheIdentity() throws Exception {
    Path dir = tmp.resolve("alice");
    String identity = initJson(dir);
    byte[] root = Files.readAllBytes(dir.resolve("keys/root.key"));
    assertThat(run("init", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(std.err()).contains("already holds an identity").hasLineCount(1);
    assertThat(Files.readAllBytes(dir.resolve("keys/root.key"))).isEqualTo(root);
    assertThat(identity).startsWith("gv1");
  }

  @Test
  void init_environmentDataDirectory_isUsedWhenNoFlag() {
    // GRAPEVINE_DATA_DIR cannot be set in-process; DataDir.defaultPath() reads it, and every
    // command takes its default from there (checked by the help text naming it).
    assertThat(run("post", "--help")).isZero();
    assertThat(std.out()).contains("--data-dir=DIR").contains("$GRAPEVINE_DATA_DIR");
  }

  @Test
  void whoami_noNodeButPlainKeys_printsIdentityFromKeyFiles() throws Exception {
    Path dir = tmp.resolve("alice");
    String identity = initJson(dir);
    assertThat(run("whoami", "--data-dir", dir.toString())).as(std.err()).isZero();
    assertThat(std.out().strip()).isEqualTo(identity);
    std.reset();
    assertThat(run("whoami", "--data-dir", dir.toString(), "--json")).isZero();
    JsonNode j = json();
    assertThat(j.path("identity").asText()).isEqualTo(identity);
    assertThat(j.path("device").asText()).hasSize(64);
    assertThat(j.path("listen_addrs").isArray()).isTrue();
  }

  @Test
  void whoami_sealedKeysAndNoNode_exitsThreeSayingHowToStartOne() throws Exception {
    Path dir = tmp.resolve("alice");
    initJson(dir, "--passphrase=correct horse");
    assertThat(run("whoami", "--data-dir", dir.toString())).isEqualTo(ExitCode.NO_NODE);
    assertThat(std.err())
        .contains("no node is running for " + dir)
        .contains("grapevine run --data-dir " + dir)
        .hasLineCount(1);
  }

  @Test
  void nodeCommands_noNodeRunning_exitThreeWithOneLine() throws Exception {
    Path dir = tmp.resolve("alice");
    initJson(dir);
    for (String[] args :
        new String[][] {
          {"post", "hello"},
          {"timeline"},
          {"follow", "gv1abcdefg"},
          {"status"},
          {"peers"},
          {"profile"},
          {"thread", "abcd"},
          {"following"}
        }) {
      std.reset();
      String[] full = java.util.Arrays.copyOf(args, args.length + 2);
      full[args.length] = "--data-dir";
      full[args.length + 1] = dir.toString();
      assertThat(run(full)).as(String.join(" ", args)).isEqualTo(ExitCode.NO_NODE);
      assertThat(std.err())
          .as(String.join(" ", args))
          .startsWith("grapevine: no node is running for " + dir)
          .contains("start one with `grapevine run --data-dir " + dir + "`")
          .hasLineCount(1)
          .doesNotContain("Exception");
      // No api.endpoint: the address tried is config.toml's, which may not be the --api-port the
      // node last ran with.
      assertThat(std.err()).as(String.join(" ", args)).contains(", the API port in config.toml)");
    }
  }

  @Test
  void nodeCommand_staleEndpointFile_exitsThree() throws Exception {
    Path dir = tmp.resolve("alice");
    initJson(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } // Closed: nothing listens there any more, as after a node crashed.
    Files.writeString(new DataDir(dir).apiEndpointFile(), "http://127.0.0.1:" + port + "\n");
    assertThat(run("timeline", "--data-dir", dir.toString())).isEqualTo(ExitCode.NO_NODE);
    assertThat(std.err())
        .contains("no node is running")
        .contains("nothing answers at http://127.0.0.1:" + port + ")");
  }

  @Test
  void nodeCommand_noDataDirectory_exitsThreeSayingInit() {
    Path dir = tmp.resolve("nobody");
    assertThat(run("post", "hi", "--data-dir", dir.toString())).isEqualTo(ExitCode.NO_NODE);
    assertThat(std.err())
        .contains("no data directory at " + dir)
        .contains("grapevine init --data-dir " + dir)
        .hasLineCount(1);
  }

  @Test
  void nodeCommand_corruptConfig_exitsOneNamingFileAndFix() throws Exception {
    Path dir = tmp.resolve("alice");
    initJson(dir);
    Files.writeString(dir.resolve("config.toml"), "[api\nport = = 7\n");
    assertThat(run("status", "--data-dir", dir.toString())).isEqualTo(ExitCode.ERROR);
    assertThat(std.err())
        .contains(dir.resolve("config.toml").toString())
        .contains("not valid TOML")
        .contains("delete the file")
        .hasLineCount(1)
        .doesNotContain("Exception");
  }

  @Test
  void post_empty_exitsOneBeforeNeedingANode() {
    Path dir = tmp.resolve("nobody");
    assertThat(run("post", "   ", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(std.err()).contains("the post is empty").hasLineCount(1);
  }

  @Test
  void reactAndProfile_textsCheckedByTheProtocolRule_beforeNeedingANode() {
    Path dir = tmp.resolve("nobody");
    assertThat(run("react", "abcd", " ", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(std.err()).contains("the emoji is empty").hasLineCount(1);
    std.reset();
    String name = "n".repeat(Limits.MAX_PROFILE_NAME_BYTES + 1);
    assertThat(run("profile", "set", "--name", name, "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(std.err())
        .contains(
            "the name is "
                + (Limits.MAX_PROFILE_NAME_BYTES + 1)
                + " bytes of UTF-8, at most "
                + Limits.MAX_PROFILE_NAME_BYTES)
        .hasLineCount(1);
  }

  @Test
  void post_emptyStdin_exitsOne() {
    InputStream old = System.in;
    System.setIn(new ByteArrayInputStream("\n".getBytes(StandardCharsets.UTF_8)));
    try {
      assertThat(run("post", "--data-dir", tmp.toString())).isEqualTo(1);
    } finally {
      System.setIn(old);
    }
    assertThat(std.err()).contains("the post is empty");
  }

  @Test
  void post_oversizeArgumentAndStdin_exitOneSayingTheLimit() {
    String big = "é".repeat(Limits.MAX_POST_TEXT_BYTES / 2 + 1);
    assertThat(run("post", big, "--data-dir", tmp.toString())).isEqualTo(1);
    assertThat(std.err())
        .contains("the post is " + (Limits.MAX_POST_TEXT_BYTES + 2) + " bytes of UTF-8")
        .contains("at most " + Limits.MAX_POST_TEXT_BYTES)
        .hasLineCount(1);
    std.reset();
    InputStream old = System.in;
    System.setIn(new ByteArrayInputStream(new byte[1 << 20]));
    try {
      assertThat(run("post", "-", "--data-dir", tmp.toString())).isEqualTo(1);
    } finally {
      System.setIn(old);
    }
    assertThat(std.err()).contains("more than " + Limits.MAX_POST_TEXT_BYTES + " bytes");
  }

  @Test
  void usageError_exitsTwoWithHint() {
    assertThat(run("react", "abcd")).isEqualTo(ExitCode.USAGE);
    assertThat(std.err()).contains("Missing required parameter").contains("grapevine react --help");
  }

  @Test
  void verbose_addsTheStackTrace() throws Exception {
    Path dir = tmp.resolve("alice");
    initJson(dir);
    assertThat(run("--verbose", "timeline", "--data-dir", dir.toString()))
        .isEqualTo(ExitCode.NO_NODE);
    assertThat(std.err()).contains("no node is running").contains("at org.grapevine.cli");
  }

  @Test
  void identityExport_fileAndPhrase_importElsewhereGivesTheSameIdentity() throws Exception {
    Path a = tmp.resolve("a");
    String identity = initJson(a);
    Path exported = tmp.resolve("me.key");
    assertThat(run("identity", "export", "--data-dir", a.toString(), "--out", exported.toString()))
        .as(std.err())
        .isZero();
    assertThat(std.out()).contains("NOT sealed");
    assertThat(run("identity", "export", "--data-dir", a.toString(), "--out", exported.toString()))
        .isEqualTo(1);
    assertThat(std.err()).contains("already exists");
    std.reset();
    assertThat(run("identity", "export", "--data-dir", a.toString(), "--phrase")).isZero();
    String words = std.out().strip();
    assertThat(words.split(" ")).hasSize(24);
    std.reset();

    Path b = tmp.resolve("b");
    assertThat(run("identity", "import", exported.toString(), "--data-dir", b.toString(), "--json"))
        .as(std.err())
        .isZero();
    assertThat(json().path("identity").asText()).isEqualTo(identity);
    std.reset();
    Path c = tmp.resolve("c");
    assertThat(run("identity", "import", "--phrase", words, "--data-dir", c.toString()))
        .as(std.err())
        .isZero();
    assertThat(std.out()).contains("imported " + identity);
    assertThat(new DataDir(c).keys(new java.util.ArrayList<>()).identity().toString())
        .isEqualTo(identity);
    std.reset();
    assertThat(run("identity", "import", "--phrase", words, "--data-dir", c.toString()))
        .isEqualTo(1);
    assertThat(std.err()).contains("already holds an identity");
  }

  @Test
  void identityImport_badPhrase_exitsOne() {
    assertThat(
            run(
                "identity",
                "import",
                "--phrase",
                "not a real phrase",
                "--data-dir",
                tmp.resolve("x").toString()))
        .isEqualTo(1);
    assertThat(std.err()).startsWith("grapevine: not a recovery phrase: ").hasLineCount(1);
    assertThat(tmp.resolve("x/keys/root.key")).doesNotExist();
  }

  @Test
  void sealedKeys_wrongOrMissingPassphrase_exitOneWithOneLine() throws Exception {
    Path a = tmp.resolve("a");
    String identity = initJson(a, "--passphrase=correct horse");
    assertThat(
            run("identity", "export", "--phrase", "--data-dir", a.toString(), "--passphrase=wrong"))
        .isEqualTo(1);
    assertThat(std.err())
        .contains("wrong passphrase for " + a.resolve("keys/root.key"))
        .hasLineCount(1);
    std.reset();
    assertThat(run("identity", "export", "--phrase", "--data-dir", a.toString())).isEqualTo(1);
    assertThat(std.err()).contains("sealed with a passphrase; give it with --passphrase");
    std.reset();
    assertThat(
            run(
                "identity",
                "export",
                "--phrase",
                "--data-dir",
                a.toString(),
                "--passphrase=correct horse",
                "--json"))
        .isZero();
    assertThat(json().path("identity").asText()).isEqualTo(identity);
    std.reset();
    Path exported = tmp.resolve("sealed.key");
    assertThat(run("identity", "export", "--out", exported.toString(), "--data-dir", a.toString()))
        .isZero();
    assertThat(std.out()).contains("(sealed");
    assertThat(
            run(
                "identity",
                "import",
                exported.toString(),
                "--data-dir",
                tmp.resolve("b").toString(),
                "--passphrase=nope"))
        .isEqualTo(1);
    assertThat(std.err()).contains("wrong passphrase");
  }

  @Test
  void meshNewKeyAndJoin_writeKeyAndConfigTheNodeAccepts() throws Exception {
    Path key = tmp.resolve("mesh.key");
    assertThat(run("mesh", "new-key", "--out", key.toString())).isZero();
    SwarmKey.parse(Files.readAllBytes(key));
    std.reset();
    assertThat(run("mesh", "new-key")).isZero();
    assertThat(std.out()).contains("/key/swarm/psk/1.0.0/");
    std.reset();
    Path dir = tmp.resolve("alice");
    initJson(dir);
    assertThat(run("mesh", "join", key.toString(), "--data-dir", dir.toString()))
        .as(std.err())
        .isZero();
    assertThat(Files.readAllBytes(dir.resolve("swarm.key"))).isEqualTo(Files.readAllBytes(key));
    assertThat(ConfigFile.read(dir.resolve("config.toml"), dir).network().swarmKey())
        .isEqualTo(dir.resolve("swarm.key").toAbsolutePath());
    std.reset();
    Files.writeString(tmp.resolve("junk.key"), "not a key");
    assertThat(
            run("mesh", "join", tmp.resolve("junk.key").toString(), "--data-dir", dir.toString()))
        .isEqualTo(1);
    assertThat(std.err()).contains("is not a swarm key file").hasLineCount(1);
  }

  @Test
  void completion_bashAndZsh_coverTheCommandTree() {
    assertThat(run("completion", "bash")).isZero();
    String bash = std.out();
    assertThat(bash)
        .contains("complete -F")
        .contains("timeline")
        .contains("--follow")
        .contains("new-key")
        .contains("revoke")
        .contains("--data-dir");
    std.reset();
    assertThat(run("completion", "zsh")).isZero();
    assertThat(std.out())
        .startsWith("autoload -U +X compinit")
        .contains("bashcompinit")
        .contains("whoami");
  }

  @Test
  void help_listsCommandsAndExitCodes() {
    assertThat(run("--help")).isZero();
    assertThat(std.out())
        .contains("init")
        .contains("whoami")
        .contains("timeline")
        .contains("device")
        .contains("mesh")
        .contains("Exit codes: 0 ok, 1 failed")
        .contains("3 no node running");
  }
}
