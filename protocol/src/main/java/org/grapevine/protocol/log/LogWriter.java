package org.grapevine.protocol.log;

import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.ContentRules;
import org.grapevine.protocol.validation.Verification;

/**
 * Writes one author's log: numbers, chains, timestamps and signs entries. Refuses (with {@link
 * IllegalArgumentException}) content that readers would reject, so a Grapevine writer never
 * produces an entry a Grapevine reader refuses.
 *
 * <p>Timestamps never go backwards: an entry is stamped {@code max(now, previous timestamp)}, so a
 * laptop whose clock was set back still writes a valid log. Not thread-safe; the caller persists
 * each entry before acknowledging it and before appending the next.
 */
public final class LogWriter {
  private final Identity identity;
  private final SigningKey key;
  private LogHead head;

  /**
   * @param head the log's last entry as held; {@link LogHead#EMPTY} for a new log
   */
  public LogWriter(Identity identity, SigningKey key, LogHead head) {
    this.identity = identity;
    this.key = key;
    this.head = head;
  }

  /** A writer for an identity's root log, signed by the root key itself. */
  public static LogWriter rootLog(SigningKey rootKey, LogHead head) {
    return new LogWriter(Identity.of(rootKey.publicKey()), rootKey, head);
  }

  public LogHead head() {
    return head;
  }

  public Identity identity() {
    return identity;
  }

  /** Appends content of a known kind. */
  public LogEntry append(Content content, long nowMillis) {
    ContentKind kind = ContentKind.of(content);
    if (kind == ContentKind.UNKNOWN) {
      throw new IllegalArgumentException("content has no body");
    }
    byte[] bytes = content.toByteArray();
    EntryHeader header = nextHeader(kind.number(), bytes, nowMillis);
    Verification.Invalid bad = ContentRules.check(header, content);
    if (bad != null) {
      throw new IllegalArgumentException(
          "refusing to sign content readers would reject: " + bad.reason() + ": " + bad.detail());
    }
    return sign(header, bytes, content);
  }

  /**
   * Appends content of a kind this version may not know, as opaque bytes: for tests and for tools
   * that write newer kinds.
   */
  public LogEntry appendOpaque(int kindNumber, byte[] contentBytes, long nowMillis) {
    if (kindNumber <= 0) {
      throw new IllegalArgumentException("kind numbers start at 1, got " + kindNumber);
    }
    if (ContentKind.ofNumber(kindNumber) != ContentKind.UNKNOWN) {
      throw new IllegalArgumentException("kind " + kindNumber + " is known; use append(Content)");
    }
    return sign(nextHeader(kindNumber, contentBytes, nowMillis), contentBytes, null);
  }

  private EntryHeader nextHeader(int kindNumber, byte[] contentBytes, long nowMillis) {
    if (contentBytes.length > Limits.MAX_CONTENT_BYTES) {
      throw new IllegalArgumentException(
          "content of " + contentBytes.length + " bytes, at most " + Limits.MAX_CONTENT_BYTES);
    }
    long timestamp = Math.max(Math.max(nowMillis, head.timestampMillis()), 1);
    ContentKind kind = ContentKind.ofNumber(kindNumber);
    boolean rootLog = key.publicKey().equals(identity.root());
    if (kind != ContentKind.UNKNOWN && kind.rootLogOnly() != rootLog) {
      throw new IllegalArgumentException(
          kind + " is not allowed in a " + (rootLog ? "root" : "device") + " log");
    }
    return new EntryHeader(
        identity,
        key.publicKey(),
        head.seq() + 1,
        head.id(),
        timestamp,
        kind,
        kindNumber,
        ContentHash.ofContent(contentBytes),
        contentBytes.length);
  }

  private LogEntry sign(EntryHeader header, byte[] contentBytes, Content content) {
    byte[] entryBytes = EntryCodec.encodeHeader(header);
    byte[] signature = key.sign(EntryCodec.signingMessage(entryBytes));
    SignedEntry signed =
        SignedEntry.ofVerified(header, entryBytes, signature, EntryId.ofEntryBytes(entryBytes));
    head = LogHead.of(signed);
    return LogEntry.of(signed, contentBytes, content);
  }
}
