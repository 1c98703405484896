package org.grapevine.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.cli.ExitCode;
import org.grapevine.cli.Main;
import org.grapevine.cli.StdCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root key moved offline (to a USB stick, as the README's backup advice invites), as a person
 * does it: {@code grapevine run} in real child JVMs, every other command through the CLI's entry
 * point. The data directory stays its identity's: the node runs and posts as that identity's
 * device, no root key is created, and only the root operations are refused, with their own exit
 * code, until {@code identity import} brings the key back. A directory whose key files disagree
 * with its recorded identity refuses to start and names the file.
 */
@Timeout(240)
class RootKeyOfflineIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OFFLINE =
      "the root key is offline: bring it back with `grapevine identity import`";

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private int cli(Path dataDir, String... args) {
    std.reset();
    String[] full = Arrays.copyOf(args, args.length + 2);
    full[args.length] = "--data-dir";
    full[args.length + 1] = dataDir.toString();
    return Main.execute(full);
  }

  private JsonNode ok(Path dataDir, String... args) throws Exception {
    assertThat(cli(dataDir, args)).as(String.join(" ", args) + ": " + std.err()).isZero();
    return JSON.readTree(std.out());
  }

  private static Process startRun(Path dataDir, String... extra) throws IOException {
    List<String> flags =
        new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1", "--no-mdns"));
    flags.addAll(List.of(extra));
    return org.grapevine.cli.RunProcess.start(
        dataDir, java.util.Map.of(), flags.toArray(String[]::new));
  }

  /**
   * Runs the node in a child JVM, posts {@code text} through the CLI once its API answers, then
   * stops it (SIGTERM, as Ctrl-C). Adds the node's output up to its {@code api:} line (identity,
   * created files, device state) to {@code output}; returns the post's JSON.
   */
  private JsonNode runAndPost(Path dataDir, String text, List<String> output) throws Exception {
    Process p = startRun(dataDir, "--stop-after", "120");
    JsonNode posted;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      for (String l = out.readLine(); l != null; l = out.readLine()) {
        output.add(l);
        if (l.startsWith("api:")) {
          break;
        }
      }
      assertThat(output).as(String.join("\n", output)).anyMatch(l -> l.startsWith("api:"));
      posted = ok(dataDir, "post", text, "--json");
      JsonNode posts = ok(dataDir, "posts", posted.path("identity").asText(), "--json");
      List<String> texts = new ArrayList<>();
      posts.path("entries").forEach(e -> texts.add(e.path("content").path("text").asText()));
      assertThat(texts).contains(text);
    } finally {
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    return posted;
  }

  /** A run expected to stop at once with exit 1: its output. */
  private static String runFails(Path dataDir) throws Exception {
    Process p = startRun(dataDir, "--stop-after", "2");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(ExitCode.ERROR);
    return out;
  }

  private static String line(List<String> output, String label) {
    return output.stream()
        .filter(l -> l.startsWith(label))
        .findFirst()
        .orElseThrow()
        .substring(label.length())
        .strip();
  }

  @Test
  void rootKeyMovedAway_sameIdentity_devicePostsUnderIt_rootOperationsRefused_untilImported()
      throws Exception {
    Path data = tmp.resolve("alice");
    Path usb = tmp.resolve("usb");
    String identity = ok(data, "init", "--json").path("identity").asText();
    List<String> first = new ArrayList<>();
    JsonNode one = runAndPost(data, "before the move", first);
    assertThat(line(first, "identity:")).isEqualTo(identity);
    assertThat(one.path("identity").asText()).isEqualTo(identity);
    assertThat(one.path("seq").asLong()).isEqualTo(1);

    Files.createDirectories(usb);
    Files.move(data.resolve("keys/root.key"), usb.resolve("root.key"));

    List<String> second = new ArrayList<>();
    JsonNode two = runAndPost(data, "with the root key offline", second);
    assertThat(line(second, "identity:")).as(String.join("\n", second)).isEqualTo(identity);
    assertThat(second)
        .noneMatch(l -> l.startsWith("created "))
        .noneMatch(l -> l.contains("device:"));
    assertThat(data.resolve("keys/root.key")).doesNotExist();
    // The same device writes on under the same identity: seq 2 after seq 1, no second identity.
    assertThat(two.path("identity").asText()).isEqualTo(identity);
    assertThat(two.path("author").asText()).isEqualTo(one.path("author").asText());
    assertThat(two.path("seq").asLong()).isEqualTo(2);
    assertThat(cli(data, "whoami")).isZero();
    assertThat(std.out().strip()).isEqualTo(identity);
    JsonNode devices = ok(data, "device", "list", "--json");
    assertThat(devices.path("identity").asText()).isEqualTo(identity);
    assertThat(devices.path("devices")).hasSize(1);

    Path bundle = tmp.resolve("phone.bundle");
    for (String[] rootOperation :
        List.of(
            new String[] {"device", "add", "--out", bundle.toString()},
            new String[] {"device", "revoke", one.path("author").asText()},
            new String[] {"identity", "export", "--phrase"})) {
      assertThat(cli(data, rootOperation))
          .as(String.join(" ", rootOperation) + ": " + std.err())
          .isEqualTo(ExitCode.ROOT_KEY_OFFLINE);
      assertThat(std.err()).startsWith("grapevine: " + OFFLINE).hasLineCount(1);
    }
    assertThat(bundle).doesNotExist();
    assertThat(data.resolve("keys/root.key")).doesNotExist();

    // Another identity's root key is not taken for this one's.
    Path other = tmp.resolve("other");
    ok(other, "init", "--json");
    assertThat(cli(data, "identity", "import", other.resolve("keys/root.key").toString()))
        .isEqualTo(ExitCode.ERROR);
    assertThat(std.err()).contains("belongs to " + identity).hasLineCount(1);
    assertThat(data.resolve("keys/root.key")).doesNotExist();

    ok(data, "identity", "import", usb.resolve("root.key").toString(), "--json");
    org.grapevine.protocol.crypto.SigningKey back =
        new org.grapevine.node.config.DataDir(data).keys(new ArrayList<>()).root();
    assertThat(org.grapevine.protocol.identity.Identity.of(back.publicKey()).toString())
        .isEqualTo(identity);
    ok(data, "device", "add", "--out", bundle.toString(), "--json");
    assertThat(ok(data, "device", "list", "--json").path("devices")).hasSize(2);
  }

  @Test
  void rootKeyOfAnotherIdentity_refusesToStartNamingTheRootKeyFile() throws Exception {
    Path data = tmp.resolve("alice");
    String identity = ok(data, "init", "--json").path("identity").asText();
    Path other = tmp.resolve("bob");
    ok(other, "init", "--json");
    Files.copy(
        other.resolve("keys/root.key"),
        data.resolve("keys/root.key"),
        StandardCopyOption.REPLACE_EXISTING);
    String out = runFails(data);
    assertThat(out.strip())
        .startsWith(
            "grapevine: cannot prepare the data directory "
                + data
                + ": "
                + data.resolve("keys/root.key"))
        .contains("belongs to " + identity)
        .contains(data.resolve("keys/identity").toString())
        .hasLineCount(1);
    assertThat(Files.readString(data.resolve("keys/identity"))).startsWith(identity + "\n");
  }

  @Test
  void identityFileOfAnotherIdentity_deviceKeyThatWroteForThisOne_refusesNamingTheDeviceKey()
      throws Exception {
    Path data = tmp.resolve("alice");
    String identity = ok(data, "init", "--json").path("identity").asText();
    runAndPost(data, "hello", new ArrayList<>());
    // The record and the root key of another identity: they agree, but the device key wrote for
    // the first one (its log in the store says so).
    Path other = tmp.resolve("bob");
    ok(other, "init", "--json");
    for (String f : List.of("identity", "root.key")) {
      Files.copy(
          other.resolve("keys").resolve(f),
          data.resolve("keys").resolve(f),
          StandardCopyOption.REPLACE_EXISTING);
    }
    String out = runFails(data);
    String last = out.strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last)
        .startsWith("grapevine: cannot start the node: " + data.resolve("keys/device.key"))
        .contains("a device key of " + identity);
    assertThat(out).doesNotContain("listening:");
  }

  @Test
  void runWithKeysButNoIdentity_refusesAndCreatesNoKey() throws Exception {
    Path data = tmp.resolve("nobody");
    java.nio.file.Files.createDirectories(data.resolve("keys")); // Keys once, none left.
    String out = runFails(data);
    assertThat(out.strip()).contains("grapevine init").hasLineCount(1);
    assertThat(data.resolve("keys/root.key")).doesNotExist();
  }
}
