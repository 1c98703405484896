package org.grapevine.protocol.testing;

import com.google.protobuf.ByteString;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.internal.Hex;
import org.grapevine.protocol.keys.RecoveryPhrase;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;
import org.grapevine.protocol.topic.Topics;

/**
 * Computes the golden test vectors from fixed seeds. {@code GoldenVectorsTest} compares them with
 * the frozen copy in {@code src/test/resources/vectors/protocol-v1.txt}; a difference means the
 * wire format changed. Run {@link #main} only when a format change is intended, and say so.
 */
public final class GoldenVectors {
  static final byte[] ROOT_SEED = bytes(0x00);
  static final byte[] DEVICE_SEED = bytes(0x20);
  static final byte[] OTHER_ROOT_SEED = bytes(0x60);
  static final byte[] OTHER_DEVICE_SEED = bytes(0x80);

  private GoldenVectors() {}

  /** The vectors as ordered key/value pairs (values are hex unless the key says otherwise). */
  public static Map<String, String> compute() {
    Map<String, String> v = new LinkedHashMap<>();
    SigningKey root = SigningKey.fromSeed(ROOT_SEED);
    SigningKey device = SigningKey.fromSeed(DEVICE_SEED);
    Identity identity = Identity.of(root.publicKey());
    v.put("root.seed", Hex.encode(ROOT_SEED));
    v.put("root.public_key", root.publicKey().toHex());
    v.put("identity.text", identity.toString());
    v.put("identity.topic.text", Topics.forIdentity(identity));
    v.put("root.recovery_phrase.text", RecoveryPhrase.encode(ROOT_SEED));
    v.put("device.seed", Hex.encode(DEVICE_SEED));
    v.put("device.public_key", device.publicKey().toHex());

    LogWriter rootLog = LogWriter.rootLog(root, LogHead.EMPTY);
    put(
        v,
        "root.1",
        rootLog.append(
            Content.newBuilder()
                .setDelegateDevice(
                    DelegateDevice.newBuilder()
                        .setDevice(ByteString.copyFrom(device.publicKey().unsafeBytes()))
                        .setName("laptop"))
                .build(),
            TestAuthors.T0_MILLIS));

    LogWriter log = new LogWriter(identity, device, LogHead.EMPTY);
    LogEntry first =
        log.append(
            Content.newBuilder().setPost(Post.newBuilder().setText("Hello, Grapevine!")).build(),
            TestAuthors.T0_MILLIS + 1_000);
    put(v, "device.1", first);
    Ref firstRef =
        Ref.newBuilder()
            .setIdentity(ByteString.copyFrom(identity.root().unsafeBytes()))
            .setEntry(ByteString.copyFrom(first.id().unsafeBytes()))
            .build();
    put(
        v,
        "device.2",
        log.append(
            Content.newBuilder()
                .setPost(
                    Post.newBuilder()
                        .setText("Replying to myself, with a picture. ☀")
                        .setReplyTo(ReplyTo.newBuilder().setRoot(firstRef).setParent(firstRef))
                        .addMentions(ByteString.copyFrom(identity.root().unsafeBytes()))
                        .addAttachments(
                            Attachment.newBuilder()
                                .setHash(ByteString.copyFrom(bytes(0x40)))
                                .setSize(12_345)
                                .setMediaType("image/jpeg")))
                .build(),
            TestAuthors.T0_MILLIS + 2_000));
    put(
        v,
        "device.3",
        log.append(
            Content.newBuilder()
                .setReaction(Reaction.newBuilder().setTarget(firstRef).setEmoji("👍"))
                .build(),
            TestAuthors.T0_MILLIS + 3_000));
    // Issue 15: Post fields 5 (content_warning) and 6 (quote), added after the first vectors.
    put(
        v,
        "device.4",
        log.append(
            Content.newBuilder()
                .setPost(
                    Post.newBuilder()
                        .setText("Quoting my first post; the ending is a surprise.")
                        .setContentWarning("spoilers")
                        .setQuote(firstRef))
                .build(),
            TestAuthors.T0_MILLIS + 4_000));
    addressed(v, identity, firstRef);
    return v;
  }

  /**
   * Another identity replies to the first post: its entries, and the {@code Addressed} message it
   * publishes on the first identity's addressee topic.
   */
  private static void addressed(Map<String, String> v, Identity addressee, Ref firstRef) {
    SigningKey otherRoot = SigningKey.fromSeed(OTHER_ROOT_SEED);
    SigningKey otherDevice = SigningKey.fromSeed(OTHER_DEVICE_SEED);
    Identity other = Identity.of(otherRoot.publicKey());
    v.put("addressee.topic.text", Topics.forAddressee(addressee));
    v.put("other.identity.text", other.toString());
    LogEntry delegation =
        LogWriter.rootLog(otherRoot, LogHead.EMPTY)
            .append(
                Content.newBuilder()
                    .setDelegateDevice(
                        DelegateDevice.newBuilder()
                            .setDevice(ByteString.copyFrom(otherDevice.publicKey().unsafeBytes()))
                            .setName("phone"))
                    .build(),
                TestAuthors.T0_MILLIS + 4_000);
    put(v, "other.root.1", delegation);
    LogEntry reply =
        new LogWriter(other, otherDevice, LogHead.EMPTY)
            .append(
                Content.newBuilder()
                    .setPost(
                        Post.newBuilder()
                            .setText("Hello from someone you do not follow.")
                            .setReplyTo(ReplyTo.newBuilder().setRoot(firstRef).setParent(firstRef)))
                    .build(),
                TestAuthors.T0_MILLIS + 5_000);
    put(v, "other.device.1", reply);
    v.put("other.device.1.addressed", Hex.encode(AddressedCodec.encode(reply, delegation)));
  }

  /** The entries of the vectors, in log order, as envelopes. */
  public static List<String> envelopeKeys() {
    return List.of(
        "root.1.envelope",
        "device.1.envelope",
        "device.2.envelope",
        "device.3.envelope",
        "device.4.envelope");
  }

  private static void put(Map<String, String> v, String name, LogEntry e) {
    v.put(name + ".content", Hex.encode(e.contentBytes().orElseThrow()));
    v.put(name + ".entry", Hex.encode(e.signed().entryBytes()));
    v.put(name + ".signature", Hex.encode(e.signed().signature()));
    v.put(name + ".id", e.id().toHex());
    v.put(name + ".envelope", Hex.encode(e.toEnvelopeBytes()));
  }

  /** 32 bytes: start, start+1, ... */
  private static byte[] bytes(int start) {
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) (start + i);
    }
    return b;
  }

  /**
   * Reads a frozen vectors file from the test resources (this file's format: {@code key = value}
   * lines, {@code #} comments, blank lines), in file order.
   */
  public static Map<String, String> read(String resource) {
    Map<String, String> m = new LinkedHashMap<>();
    try (InputStream in = GoldenVectors.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new AssertionError("no test resource " + resource);
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int eq = line.indexOf(" = ");
        if (eq < 0) {
          throw new AssertionError(resource + ": not a 'key = value' line: " + line);
        }
        m.put(line.substring(0, eq), line.substring(eq + 3));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** Prints the vectors file (UTF-8). */
  public static void main(String[] args) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "# Grapevine protocol v1 golden vectors. Frozen: a change here is a wire-format change.\n");
    sb.append(
        "# Generated by org.grapevine.protocol.testing.GoldenVectors from the fixed seeds below.\n");
    sb.append("# Hex unless the key ends in .text; timestamps start at 2026-01-01T00:00:00Z.\n");
    compute().forEach((k, val) -> sb.append(k).append(" = ").append(val).append('\n'));
    System.out.write(
        sb.toString().getBytes(StandardCharsets.UTF_8),
        0,
        sb.toString().getBytes(StandardCharsets.UTF_8).length);
    System.out.flush();
  }
}
