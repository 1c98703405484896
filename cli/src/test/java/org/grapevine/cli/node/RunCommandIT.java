package org.grapevine.cli.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine run} in real child JVMs, as a person runs it: without an identity (no {@code
 * init}) it refuses and creates nothing; after {@code init} a run creates what else is missing, and
 * a second run (a fresh JVM) keeps the same identity; the API answers while the node runs; a bad
 * config stops it with one clear line.
 */
@Timeout(180)
class RunCommandIT {
  @TempDir Path dir;

  private Process start(Path dataDir, String... extra) throws IOException {
    return start(dataDir, java.util.Map.of(), extra);
  }

  private Process start(Path dataDir, java.util.Map<String, String> env, String... extra)
      throws IOException {
    return org.grapevine.cli.RunProcess.start(dataDir, env, extra);
  }

  private String run(Path dataDir, int expectedExit, String... extra)
      throws IOException, InterruptedException {
    return run(dataDir, java.util.Map.of(), expectedExit, extra);
  }

  private String run(
      Path dataDir, java.util.Map<String, String> env, int expectedExit, String... extra)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--stop-after", "2"));
    args.addAll(List.of(extra));
    Process p = start(dataDir, env, args.toArray(String[]::new));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(expectedExit);
    return out;
  }

  private static String line(String output, String label) {
    return output
        .lines()
        .filter(l -> l.startsWith(label))
        .findFirst()
        .orElseThrow()
        .substring(label.length())
        .strip();
  }

  /** {@code grapevine init} for {@code dataDir}, in this JVM: its identity. */
  private static String init(Path dataDir) throws Exception {
    java.io.PrintStream out = System.out;
    java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(json, true, StandardCharsets.UTF_8));
    try {
      assertThat(org.grapevine.cli.Main.execute("init", "--data-dir", dataDir.toString(), "--json"))
          .isZero();
    } finally {
      System.setOut(out);
    }
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(json.toString(StandardCharsets.UTF_8))
        .path("identity")
        .asText();
  }

  @Test
  void run_keysWithoutIdentityRefuses_afterInitCreatesConfigAndToken_secondRunKeepsTheIdentity()
      throws Exception {
    Path data = dir.resolve("alice");
    // A directory from before identities were recorded whose root key was moved away: making a
    // root key would be a new identity, so run refuses and writes nothing.
    Path old = dir.resolve("old");
    init(old);
    Files.delete(old.resolve("keys").resolve("identity"));
    Files.move(old.resolve("keys").resolve("root.key"), dir.resolve("usb-root.key"));
    String none = run(old, 1);
    assertThat(none.strip())
        .startsWith("grapevine: cannot prepare the data directory " + old + ": ")
        .contains("root.key too")
        .contains("put the key file back")
        .hasLineCount(1);
    assertThat(old.resolve("keys").resolve("root.key")).doesNotExist();
    assertThat(old.resolve("keys").resolve("identity")).doesNotExist();

    // An empty data directory is a first run: the identity is made as init makes it.
    Path fresh = dir.resolve("fresh");
    assertThat(run(fresh, 0))
        .contains("no identity in " + fresh + " yet: created one, as `grapevine init` does")
        .contains("created " + fresh.resolve("keys").resolve("root.key"));
    assertThat(fresh.resolve("keys").resolve("identity")).exists();

    String identity = init(data);
    Files.delete(data.resolve("config.toml"));
    Files.delete(data.resolve("api.token"));
    String first = run(data, 0);
    assertThat(first)
        .doesNotContain("created " + data.resolve("keys"))
        .contains("created " + data.resolve("config.toml"))
        .contains("created " + data.resolve("api.token"))
        .contains("listening: /ip4/127.0.0.1/tcp/")
        .contains("/p2p/12D3KooW")
        .containsPattern("api: +http://127\\.0\\.0\\.1:[1-9][0-9]* ");
    assertThat(line(first, "identity:")).isEqualTo(identity).hasSize(62);
    assertThat(List.of("root.key", "device.key", "peer.key"))
        .allSatisfy(f -> assertThat(data.resolve("keys").resolve(f)).exists());
    assertThat(Files.isDirectory(data.resolve("store"))).isTrue();
    assertThat(Files.readString(data.resolve("config.toml"))).contains("# port = 7320");
    assertThat(data.resolve("api.endpoint")).doesNotExist(); // Removed when the node stopped.

    String second = run(data, 0, "--host", "127.0.0.1");
    assertThat(second).doesNotContain("created ").contains("listening: /ip4/127.0.0.1/tcp/");
    assertThat(line(second, "identity:")).isEqualTo(line(first, "identity:"));
  }

  @Test
  void run_apiAnswersWithTheTokenWhileTheNodeRuns() throws Exception {
    Path data = dir.resolve("bob");
    init(data);
    Process p = start(data, "--host", "127.0.0.1", "--stop-after", "60");
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String identity = null;
      String api = null;
      for (String l = out.readLine(); l != null && api == null; l = out.readLine()) {
        identity = l.startsWith("identity:") ? l.substring(9).strip() : identity;
        api = l.startsWith("api:") ? l.substring(4).strip().split(" ", -1)[0] : null;
      }
      assertThat(api).isNotNull();
      assertThat(Files.readString(data.resolve("api.endpoint")).strip()).isEqualTo(api);
      String token = Files.readString(data.resolve("api.token")).strip();
      HttpResponse<String> status =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(api + "/v1/status"))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).contains("\"identity\":\"" + identity + "\"");
    } finally {
      p.destroy(); // SIGTERM: the shutdown hook closes the API and the node.
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(data.resolve("api.endpoint")).doesNotExist();
  }

  @Test
  void run_badConfig_stopsWithOneLineNamingFileAndOption() throws Exception {
    Path data = dir.resolve("carol");
    init(data);
    Files.writeString(data.resolve("config.toml"), "[network]\nport = \"many\"\n");
    String out = run(data, 1);
    assertThat(out.strip())
        .startsWith(
            "grapevine: bad configuration: "
                + data.resolve("config.toml")
                + ": network.port: must be an integer");
    assertThat(out.strip().lines()).hasSize(1);
  }

  @Test
  void run_portTaken_saysSoAndHowToPickAnother() throws Exception {
    Path data = dir.resolve("erin");
    init(data);
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String out =
          run(data, 1, "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()));
      assertThat(out.strip().lines().reduce((a, b) -> b).orElseThrow())
          .startsWith("grapevine: cannot start the node: ")
          .endsWith(
              "(another node or program uses that port: pick another with --port, or 0 for any free port)");
    }
  }

  @Test
  void run_damagedPeerKey_oneLineNamingTheFile_neverBlamesAPeer() throws Exception {
    Path data = dir.resolve("frank");
    init(data);
    Path peerKey = data.resolve("keys").resolve("peer.key");
    Files.write(peerKey, new byte[] {(byte) 0xff, 0x01, 0x02});
    String out = run(data, 1, "--host", "127.0.0.1");
    String last = out.strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last)
        .startsWith(
            "grapevine: cannot prepare the data directory "
                + data
                + ": "
                + peerKey
                + ": not a libp2p private key");
    assertThat(out).doesNotContain("listening:");
  }

  @Test
  void run_sealedKeys_passphraseFromFileOrEnvironment_missingOrWrongIsOneLine() throws Exception {
    Path data = dir.resolve("dave");
    Path pass = dir.resolve("pass.txt");
    Files.writeString(pass, "correct horse\n");
    Path wrong = dir.resolve("wrong.txt");
    Files.writeString(wrong, "battery staple\n");
    assertThat(
            org.grapevine.cli.Main.execute(
                "init",
                "--data-dir",
                data.toString(),
                "--passphrase-file",
                pass.toString(),
                "--json"))
        .isZero();

    String missing = run(data, 1, "--host", "127.0.0.1");
    assertThat(missing.strip())
        .isEqualTo(
            "grapevine: keys in "
                + data
                + " are protected by a passphrase; pass --passphrase-file or set GRAPEVINE_PASSPHRASE");
    String bad = run(data, 1, "--host", "127.0.0.1", "--passphrase-file", wrong.toString());
    assertThat(bad.strip())
        .startsWith("grapevine: wrong passphrase for the keys in " + data)
        .hasLineCount(1);
    String badEnv =
        run(
            data,
            java.util.Map.of("GRAPEVINE_PASSPHRASE", "battery staple"),
            1,
            "--host",
            "127.0.0.1");
    assertThat(badEnv.strip()).startsWith("grapevine: wrong passphrase").hasLineCount(1);

    String fromFile = run(data, 0, "--host", "127.0.0.1", "--passphrase-file", pass.toString());
    String fromEnv =
        run(
            data,
            java.util.Map.of("GRAPEVINE_PASSPHRASE", "correct horse"),
            0,
            "--host",
            "127.0.0.1");
    assertThat(line(fromFile, "identity:")).startsWith("gv1").isEqualTo(line(fromEnv, "identity:"));
    assertThat(fromFile).doesNotContain("created " + data.resolve("keys"));
  }
}
