package org.grapevine.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.cli.Main;
import org.grapevine.cli.StdCapture;
import org.grapevine.cli.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One identity on two machines, as a person does it: A inits, adds a device (a bundle), B imports
 * the bundle; both nodes run (real stores, real libp2p on 127.0.0.1, the local API); B posts as the
 * same identity and A shows both devices' posts. Revoking B on A stops B.
 */
@Timeout(180)
class SecondDeviceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (TestNode n : nodes) {
      n.close();
    }
  }

  private int run(Path dataDir, String... args) {
    std.reset();
    String[] full = Arrays.copyOf(args, args.length + 2);
    full[args.length] = "--data-dir";
    full[args.length + 1] = dataDir.toString();
    return Main.execute(full);
  }

  private JsonNode ok(Path dataDir, String... args) throws Exception {
    assertThat(run(dataDir, args)).as(String.join(" ", args) + ": " + std.err()).isZero();
    return JSON.readTree(std.out());
  }

  private void fails(Path dataDir, String message, String... args) {
    assertThat(run(dataDir, args))
        .as(String.join(" ", args) + ": " + std.out() + std.err())
        .isEqualTo(1);
    assertThat(std.err())
        .as(String.join(" ", args))
        .contains(message)
        .hasLineCount(1)
        .doesNotContain("Exception");
  }

  private TestNode start(Path dataDir) throws Exception {
    TestNode n = TestNode.start(dataDir);
    nodes.add(n);
    return n;
  }

  private static void connect(TestNode from, TestNode to) throws Exception {
    from.node()
        .connect(to.node().host().listenAddrs().get(0).withPeerId(to.node().host().peerId()))
        .get(10, TimeUnit.SECONDS);
  }

  private List<String> postTexts(Path dataDir, String identity) throws Exception {
    List<String> texts = new ArrayList<>();
    ok(dataDir, "posts", identity, "--json")
        .path("entries")
        .forEach(e -> texts.add(e.path("content").path("text").asText()));
    return texts;
  }

  private void await(String what, java.util.concurrent.Callable<Boolean> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.call()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void deviceAddThenImport_bothDevicesPostAsOneIdentity_andRevokeStopsTheSecond() throws Exception {
    Path a = tmp.resolve("laptop");
    Path b = tmp.resolve("phone");
    Path bundle = tmp.resolve("phone.bundle");
    String identity = ok(a, "init", "--json").path("identity").asText();
    String phone =
        ok(a, "device", "add", "--name", "phone", "--out", bundle.toString(), "--json")
            .path("device")
            .asText();
    JsonNode imported = ok(b, "device", "import", bundle.toString(), "--json");
    assertThat(imported.path("identity").asText()).isEqualTo(identity);
    assertThat(imported.path("device").asText()).isEqualTo(phone);
    assertThat(b.resolve("keys/root.key")).doesNotExist();
    assertThat(Files.readString(b.resolve("keys/identity")).strip()).isEqualTo(identity);
    assertThat(ok(b, "device", "list", "--json").path("identity").asText()).isEqualTo(identity);
    fails(a, "already exists", "device", "add", "--out", bundle.toString());
    assertThat(ok(a, "device", "list", "--json").path("devices"))
        .hasSize(1); // Nothing signed without its file.

    TestNode laptop = start(a);
    TestNode phoneNode = start(b);
    assertThat(phoneNode.identity()).isEqualTo(identity);
    assertThat(b.resolve("keys/root.key")).doesNotExist(); // Running created no second identity.
    assertThat(ok(b, "status", "--json").path("device_state").asText()).isEqualTo("active");
    connect(phoneNode, laptop);
    Thread.sleep(1500); // Meshes form (gossip heartbeat 1 s): the posts travel by gossip.

    String fromPhone = ok(b, "post", "from the phone", "--json").path("author").asText();
    assertThat(fromPhone).isEqualTo(phone);
    ok(a, "post", "from the laptop", "--json");
    final TestNode l0 = laptop;
    org.grapevine.protocol.identity.AuthorKey phoneKey =
        org.grapevine.protocol.identity.AuthorKey.of(java.util.HexFormat.of().parseHex(phone));
    org.grapevine.protocol.identity.AuthorKey laptopKey = laptop.node().device();
    await(
        "the laptop holds the phone's post", () -> l0.node().store().contiguousHead(phoneKey) >= 1);
    await(
        "the phone holds the laptop's post",
        () -> phoneNode.node().store().contiguousHead(laptopKey) >= 1);
    assertThat(postTexts(a, identity))
        .containsExactlyInAnyOrder("from the phone", "from the laptop");
    assertThat(postTexts(b, identity))
        .containsExactlyInAnyOrder("from the phone", "from the laptop");
    List<String> authors = new ArrayList<>();
    ok(a, "timeline", "--json");
    std.out()
        .lines()
        .filter(l -> !l.isBlank())
        .forEach(
            l -> {
              try {
                JsonNode t = JSON.readTree(l);
                (t.has("entries") ? t.path("entries") : JSON.createArrayNode().add(t))
                    .forEach(e -> authors.add(e.path("author").asText()));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertThat(authors).contains(phone).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
    assertThat(laptop.node().store().forks(laptop.node().identity())).isEmpty();

    // The laptop revokes the phone (node stopped, root key); when they meet again the phone stops
    // writing.
    nodes.remove(laptop);
    laptop.close();
    // Its post counts as the thief's (--last-valid-seq 0): removed here now, and by the phone's
    // node when it learns of the revocation (issue 12).
    JsonNode revoked =
        ok(a, "device", "revoke", phone.substring(0, 10), "--last-valid-seq", "0", "--json");
    assertThat(revoked.path("removed").asLong()).isEqualTo(1);
    laptop = start(a);
    assertThat(postTexts(a, identity)).containsExactly("from the laptop");
    connect(phoneNode, laptop);
    await(
        "the phone learned of its revocation",
        () ->
            phoneNode.node().deviceStatus().state()
                == org.grapevine.protocol.validation.DeviceStatus.State.REVOKED);
    assertThat(ok(b, "status", "--json").path("device_state").asText()).isEqualTo("revoked");
    await(
        "the phone's node removed the post after the last valid seq",
        () -> phoneNode.node().store().contiguousHead(phoneKey) == 0);
    fails(b, "revoked", "post", "after the revocation");
  }

  @Test
  void deviceImport_badBundles_oneLineEachAndNothingWritten() throws Exception {
    Path a = tmp.resolve("laptop");
    ok(a, "init", "--json");
    Path bundle = tmp.resolve("phone.bundle");
    ok(a, "device", "add", "--out", bundle.toString(), "--json");
    String text = Files.readString(bundle, StandardCharsets.US_ASCII);

    Path notABundle = tmp.resolve("root.key");
    Files.copy(a.resolve("keys/root.key"), notABundle);
    fails(tmp.resolve("b1"), "is not a device bundle", "device", "import", notABundle.toString());

    // A root-log entry altered: its signature no longer verifies.
    String rootLine = text.lines().filter(l -> l.startsWith("root ")).findFirst().orElseThrow();
    byte[] envelope = java.util.Base64.getDecoder().decode(rootLine.substring(5));
    envelope[envelope.length / 2] ^= 1;
    Path altered = tmp.resolve("altered.bundle");
    Files.writeString(
        altered,
        text.replace(rootLine, "root " + java.util.Base64.getEncoder().encodeToString(envelope)));
    fails(tmp.resolve("b2"), "nothing was imported", "device", "import", altered.toString());

    // The root log without its last entry: it does not delegate the bundle's device.
    List<String> roots = text.lines().filter(l -> l.startsWith("root ")).toList();
    Path truncated = tmp.resolve("truncated.bundle");
    Files.writeString(truncated, text.replace(roots.get(roots.size() - 1) + "\n", ""));
    if (roots.size() > 1) {
      fails(
          tmp.resolve("b3"),
          "does not delegate the device",
          "device",
          "import",
          truncated.toString());
    } else {
      fails(tmp.resolve("b3"), "lacks the root log", "device", "import", truncated.toString());
    }
    fails(tmp.resolve("b4"), "does not exist", "device", "import", tmp.resolve("nope").toString());
    for (String d : List.of("b1", "b2", "b3", "b4")) {
      assertThat(tmp.resolve(d).resolve("keys/device.key")).doesNotExist();
    }
    fails(a, "already holds an identity", "device", "import", bundle.toString());
  }

  @Test
  void sealedKeys_bundleKeepsThePassphrase_importNeedsIt() throws Exception {
    Path a = tmp.resolve("laptop");
    Path pass = tmp.resolve("pass.txt");
    Files.writeString(pass, "correct horse\n");
    Path wrong = tmp.resolve("wrong.txt");
    Files.writeString(wrong, "wrong horse\n");
    ok(a, "init", "--passphrase-file", pass.toString(), "--json");
    Path bundle = tmp.resolve("phone.bundle");
    fails(a, "sealed with a passphrase", "device", "add", "--out", bundle.toString());
    ok(
        a,
        "device",
        "add",
        "--out",
        bundle.toString(),
        "--passphrase-file",
        pass.toString(),
        "--json");
    Path b = tmp.resolve("phone");
    fails(b, "sealed with a passphrase", "device", "import", bundle.toString());
    fails(
        b,
        "wrong passphrase",
        "device",
        "import",
        bundle.toString(),
        "--passphrase-file",
        wrong.toString());
    assertThat(b.resolve("keys/device.key")).doesNotExist();
    ok(b, "device", "import", bundle.toString(), "--passphrase-file", pass.toString(), "--json");
    assertThat(
            org.grapevine.protocol.keys.KeyFile.isSealed(
                Files.readAllBytes(b.resolve("keys/device.key"))))
        .isTrue();
  }
}
