package org.grapevine.node.storage;

import java.util.Optional;
import java.util.Set;
import org.grapevine.protocol.addressed.Addressees;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.DeviceStatus;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The index rows of one entry. The live write path and the rebuild both call this, so the two
 * cannot drift apart. Rows derived from the header (by id, time) stay as long as the entry; rows
 * derived from the content (reply, reaction, repost, quote, notify) go with the content.
 */
final class EntryIndexer {
  private EntryIndexer() {}

  static void put(WriteBatch batch, ColumnFamilies f, LogEntry e) throws RocksDBException {
    EntryHeader h = e.header();
    byte[] location = Keys.location(h.author(), h.seq());
    batch.put(f.indexes(), Keys.entryById(e.id()), location);
    if (h.kind() == ContentKind.POST || h.kind() == ContentKind.REPOST) {
      batch.put(f.indexes(), Keys.time(h.identity(), h.timestampMillis(), e.id()), location);
    }
    putContentRows(batch, f, e);
  }

  /**
   * The rows {@link #put} derives from the entry's content (reply, reaction, repost); none without
   * it.
   */
  static void putContentRows(WriteBatch batch, ColumnFamilies f, LogEntry e)
      throws RocksDBException {
    Optional<Content> content = e.content();
    if (content.isEmpty()) {
      return;
    }
    byte[] location = Keys.location(e.header().author(), e.header().seq());
    EntryId parent = replyParent(content.get());
    if (parent != null) {
      batch.put(f.indexes(), Keys.reply(parent, e.id()), location);
    }
    EntryId target = reactionTarget(content.get());
    if (target != null) {
      batch.put(
          f.indexes(),
          Keys.reaction(target, e.id()),
          Values.reaction(location, content.get().getReaction().getEmoji()));
    }
    EntryId original = repostTarget(content.get());
    if (original != null) {
      batch.put(f.indexes(), Keys.repost(original, e.id()), location);
    }
    EntryId quoted = quoteTarget(content.get());
    if (quoted != null) {
      batch.put(f.indexes(), Keys.quote(quoted, e.id()), location);
    }
    for (Identity addressee : notified(e)) {
      batch.put(f.indexes(), notifyKey(addressee, e), location);
    }
  }

  /**
   * Whom the entry's content notifies: those it addresses ({@link Addressees}) but its own identity
   * (a reply to oneself is no news).
   */
  static Set<Identity> notified(LogEntry e) {
    if (e.content().isEmpty() || e.header().inRootLog()) {
      return Set.of();
    }
    Set<Identity> out = Addressees.of(e.content().get());
    out.remove(e.header().identity());
    return out;
  }

  private static byte[] notifyKey(Identity addressee, LogEntry e) {
    return Keys.time(KeyPrefix.NOTIFY, addressee, e.header().timestampMillis(), e.id());
  }

  /** Deletes every row {@link #put} derived from the entry: for an entry that is removed. */
  static void delete(WriteBatch batch, ColumnFamilies f, LogEntry e) throws RocksDBException {
    EntryHeader h = e.header();
    batch.delete(f.indexes(), Keys.entryById(e.id()));
    if (h.kind() == ContentKind.POST || h.kind() == ContentKind.REPOST) {
      batch.delete(f.indexes(), Keys.time(h.identity(), h.timestampMillis(), e.id()));
    }
    deleteContentRows(batch, f, e);
  }

  /**
   * Whether a delete of the entry's identity takes its content: not for the root log (its content
   * defines the devices) nor for a delete (its content is what keeps its own target deleted; were
   * it dropped, the store could not tell, after a rebuild, what the delete had deleted).
   */
  static boolean deletable(EntryHeader h) {
    return !h.inRootLog() && h.kind() != ContentKind.DELETE;
  }

  /** The target a delete names; null for other content. */
  static EntryId deleteTarget(Content c) {
    if (c.getBodyCase() != Content.BodyCase.DELETE) {
      return null;
    }
    return idOrNull(c.getDelete().getTarget().toByteArray());
  }

  /** Deletes the rows {@link #put} derived from the entry's content. */
  static void deleteContentRows(WriteBatch batch, ColumnFamilies f, LogEntry e)
      throws RocksDBException {
    Optional<Content> content = e.content();
    if (content.isEmpty()) {
      return;
    }
    EntryId parent = replyParent(content.get());
    if (parent != null) {
      batch.delete(f.indexes(), Keys.reply(parent, e.id()));
    }
    EntryId target = reactionTarget(content.get());
    if (target != null) {
      batch.delete(f.indexes(), Keys.reaction(target, e.id()));
    }
    EntryId original = repostTarget(content.get());
    if (original != null) {
      batch.delete(f.indexes(), Keys.repost(original, e.id()));
    }
    EntryId quoted = quoteTarget(content.get());
    if (quoted != null) {
      batch.delete(f.indexes(), Keys.quote(quoted, e.id()));
    }
    for (Identity addressee : notified(e)) {
      batch.delete(f.indexes(), notifyKey(addressee, e));
    }
  }

  /**
   * The device row after one root-log content, as {@code DeviceSet} folds it: a delegation
   * activates an unknown device only; a revocation is final and only lowers the last valid seq.
   *
   * @return null when the content says nothing of a device
   */
  static DeviceStatus foldDevice(DeviceStatus old, Content c) {
    switch (c.getBodyCase()) {
      case DELEGATE_DEVICE -> {
        return old.state() == DeviceStatus.State.UNKNOWN ? DeviceStatus.ACTIVE : old;
      }
      case REVOKE_DEVICE -> {
        long last = c.getRevokeDevice().getLastValidSeq();
        if (old.state() == DeviceStatus.State.REVOKED) {
          last = Math.min(last, old.lastValidSeq());
        }
        return DeviceStatus.revoked(last);
      }
      default -> {
        return null;
      }
    }
  }

  /** The device a root-log content speaks of; null for other kinds. */
  static AuthorKey device(Content c) {
    return switch (c.getBodyCase()) {
      case DELEGATE_DEVICE -> AuthorKey.of(c.getDelegateDevice().getDevice().toByteArray());
      case REVOKE_DEVICE -> AuthorKey.of(c.getRevokeDevice().getDevice().toByteArray());
      default -> null;
    };
  }

  /** The parent a post replies to; null for other content. */
  static EntryId replyParent(Content c) {
    if (c.getBodyCase() != Content.BodyCase.POST
        || !c.getPost().hasReplyTo()
        || !c.getPost().getReplyTo().hasParent()) {
      return null;
    }
    return idOrNull(c.getPost().getReplyTo().getParent().getEntry().toByteArray());
  }

  /** The entry a reaction targets; null for other content. */
  static EntryId reactionTarget(Content c) {
    if (c.getBodyCase() != Content.BodyCase.REACTION || !c.getReaction().hasTarget()) {
      return null;
    }
    return idOrNull(c.getReaction().getTarget().getEntry().toByteArray());
  }

  /** The entry a repost reposts; null for other content. */
  static EntryId repostTarget(Content c) {
    if (c.getBodyCase() != Content.BodyCase.REPOST || !c.getRepost().hasTarget()) {
      return null;
    }
    return idOrNull(c.getRepost().getTarget().getEntry().toByteArray());
  }

  /** The entry a quote post quotes; null for other content (issue 15). */
  static EntryId quoteTarget(Content c) {
    if (c.getBodyCase() != Content.BodyCase.POST || !c.getPost().hasQuote()) {
      return null;
    }
    return idOrNull(c.getPost().getQuote().getEntry().toByteArray());
  }

  // ContentRules already checked ref lengths; this only guards against a rule this code does not
  // know.
  private static EntryId idOrNull(byte[] id) {
    return id.length == Keys.ID_BYTES ? EntryId.of(id) : null;
  }
}
