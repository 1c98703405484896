package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.testing.ExifJpeg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 from the command line against a real node: {@code grapevine post --attach} a JPEG a
 * phone would write (Exif with the camera and a GPS position) with alt text; the post names the
 * stripped file, {@code grapevine media get} writes it back without any of that metadata and it
 * still decodes; a file over the node's cap and a missing file fail with clear messages and post
 * nothing.
 */
@Timeout(120)
class MediaIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private String[] withDir(String... args) {
    String[] full = java.util.Arrays.copyOf(args, args.length + 2);
    full[args.length] = "--data-dir";
    full[args.length + 1] = tmp.resolve("alice").toString();
    return full;
  }

  private String ok(String... args) {
    std.reset();
    assertThat(Main.execute(withDir(args))).as(String.join(" ", args) + ": " + std.err()).isZero();
    return std.out();
  }

  private String fails(String... args) {
    std.reset();
    assertThat(Main.execute(withDir(args))).as(String.join(" ", args)).isNotZero();
    return std.err();
  }

  private static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
  }

  @Test
  void postAttach_gpsPhoto_storedWithoutMetadata_mediaGetWritesIt_errorsPostNothing()
      throws Exception {
    node =
        TestNode.start(
            tmp.resolve("alice"),
            NodeConfig.loopback().withBudgets(new NodeConfig.Budgets(256L << 20, 256 << 10)));
    byte[] original = ExifJpeg.withGps(64);
    assertThat(contains(original, "Exif")).isTrue();
    assertThat(contains(original, ExifJpeg.CAMERA)).isTrue();
    Path photo = tmp.resolve("photo.jpg");
    Files.write(photo, original);

    JsonNode post =
        JSON.readTree(
            ok(
                "post",
                "--attach",
                photo.toString(),
                "--alt",
                "a gradient, red to green",
                "at the harbour",
                "--json"));
    JsonNode a = post.path("content").path("attachments").get(0);
    assertThat(a.path("media_type").asText()).isEqualTo("image/jpeg");
    assertThat(a.path("alt").asText()).isEqualTo("a gradient, red to green");
    assertThat(a.path("state").asText()).isEqualTo("held");
    String cid = a.path("cid").asText();
    assertThat(cid).startsWith("bafk"); // One raw block: CIDv1, raw, sha2-256.

    Path out = tmp.resolve("back.jpg");
    assertThat(ok("media", "get", cid, "--out", out.toString())).contains("wrote ");
    byte[] stored = Files.readAllBytes(out);
    assertThat(a.path("size").asLong()).isEqualTo(stored.length);
    assertThat(stored.length).isLessThan(original.length);
    assertThat(contains(stored, "Exif")).as("no Exif segment").isFalse();
    assertThat(contains(stored, ExifJpeg.CAMERA)).as("no camera make").isFalse();
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(stored));
    assertThat(decoded.getWidth()).isEqualTo(64);

    // The timeline shows the post with its file.
    assertThat(ok("timeline")).contains("at the harbour");

    // Over the node's cap (256 KiB here): refused with the cap named, nothing posted.
    Path big = tmp.resolve("big.bin");
    Files.write(big, new byte[300 << 10]);
    assertThat(fails("post", "--attach", big.toString(), "too big")).contains("cap");
    assertThat(fails("post", "--attach", tmp.resolve("nope.jpg").toString(), "x"))
        .contains("nope.jpg");
    assertThat(fails("media", "get", "not-a-cid", "--out", out.toString())).contains("CID");
    assertThat(ok("timeline")).doesNotContain("too big");
  }
}
