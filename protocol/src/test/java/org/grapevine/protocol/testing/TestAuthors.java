package org.grapevine.protocol.testing;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.RevokeDevice;

/**
 * Deterministic identities and signed entries for tests (shared with other modules through the
 * protocol test-jar). Keys come from SHA-256 of a name, so the same name is the same key in every
 * run and every module.
 */
public final class TestAuthors {
  /** 2026-01-01T00:00:00Z: a fixed "now" for entries written in tests. */
  public static final long T0_MILLIS = 1_767_225_600_000L;

  private TestAuthors() {}

  public static SigningKey key(String name) {
    return SigningKey.fromSeed(Sha256.hash(name.getBytes(StandardCharsets.UTF_8)));
  }

  /** An identity with a root log writer and one delegated device writer. */
  public static Person person(String name) {
    return new Person(name);
  }

  public static Content post(String text) {
    return Content.newBuilder().setPost(Post.newBuilder().setText(text)).build();
  }

  public static ByteString bytes(AuthorKey key) {
    return ByteString.copyFrom(key.unsafeBytes());
  }

  /** One person: root key, root log, and devices with their logs. */
  public static final class Person {
    public final SigningKey root;
    public final Identity identity;
    public final LogWriter rootLog;

    private Person(String name) {
      this.root = key(name + "/root");
      this.identity = Identity.of(root.publicKey());
      this.rootLog = LogWriter.rootLog(root, LogHead.EMPTY);
    }

    /** A device key for this person (not yet delegated). */
    public SigningKey deviceKey(String deviceName) {
      return key(identity + "/" + deviceName);
    }

    /** A writer for a device's log. */
    public LogWriter deviceLog(SigningKey device) {
      return new LogWriter(identity, device, LogHead.EMPTY);
    }

    /** The root-log entry delegating {@code device}. */
    public LogEntry delegate(SigningKey device, long nowMillis) {
      return rootLog.append(
          Content.newBuilder()
              .setDelegateDevice(
                  DelegateDevice.newBuilder()
                      .setDevice(bytes(device.publicKey()))
                      .setName("test device"))
              .build(),
          nowMillis);
    }

    /** The root-log entry revoking {@code device} after {@code lastValidSeq}. */
    public LogEntry revoke(SigningKey device, long lastValidSeq, long nowMillis) {
      return rootLog.append(
          Content.newBuilder()
              .setRevokeDevice(
                  RevokeDevice.newBuilder()
                      .setDevice(bytes(device.publicKey()))
                      .setLastValidSeq(lastValidSeq))
              .build(),
          nowMillis);
    }
  }
}
