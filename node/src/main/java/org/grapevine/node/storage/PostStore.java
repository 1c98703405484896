package org.grapevine.node.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.LogView;

/**
 * What the node keeps: every author's contiguous log with its content, the devices of each
 * identity, fork evidence, timeline/reply/reaction indexes, and local state (follows, mutes, peers,
 * metadata). A {@link LogView}, so the {@code ChainChecker} runs directly against it.
 *
 * <p>Call order for a received entry: validate it ({@code EntryValidator}), check it against this
 * store ({@code ChainChecker}), then on {@code Append} call {@link #apply}, on {@code Fork} {@link
 * #recordFork}. Writes are serialised by the implementation; reads may run concurrently.
 */
public interface PostStore extends LogView, AutoCloseable {

  /**
   * Appends the author's next entry, its content (if held), the author's head, its devices (for a
   * root-log entry) and every index, all in one atomic write. Within that same write:
   *
   * <ol>
   *   <li>An entry without its content is recorded as missing its content ({@link
   *       #contentMissing}), to be fetched, unless it is deleted ({@link #deleted}).
   *   <li>A device-log entry that a held delete of its identity names (the delete arrived first) is
   *       stored without its content, and is not missing ({@link Applied#contentDropped}).
   *   <li>A delete (with its content) records its target as deleted (a tombstone, kept while the
   *       delete is held), and drops its target's content and content-derived rows if the target is
   *       a held device-log entry of the same identity (a target whose content is missing is then
   *       deleted, no longer missing).
   *   <li>A revocation removes every held entry of the revoked device's log after its last valid
   *       seq: entry, content and every row derived from them, as if they had never been held
   *       ({@link Applied#purgedEntries}). A target of a delete so removed is no longer deleted:
   *       its content is missing again, unless another held delete names it.
   * </ol>
   *
   * @param durable true for this node's own entries: the write is synced to disk before this
   *     returns, so an acknowledged post survives a crash; false for received ones
   * @throws IllegalStateException if the entry is not {@code contiguousHead(author) + 1}, or its
   *     prev does not name the held head (a caller bug: the ChainChecker answers Append only for
   *     the next entry); nothing is written then
   */
  Applied apply(LogEntry entry, boolean durable);

  /** {@link #apply(LogEntry, boolean)} for a received entry (not synced). */
  default Applied apply(LogEntry entry) {
    return apply(entry, false);
  }

  /**
   * Stores an addressed entry of an identity whose log this node does not hold as far as the
   * entry's place (issue 15): a <em>loose</em> entry, kept outside its author's chain with its
   * content and the index rows {@link #apply} would derive (by id, time, reply, reaction, repost),
   * so threads, counts and {@link #entryById} see it, while the {@link LogView} (chain rules, sync)
   * does not. When the chain reaches its place ({@link #apply}), the loose copy goes and the
   * chained entry's rows stand; a revocation removes the device's later loose entries too; {@link
   * #rebuildIndexes} keeps them. Its bytes do not count in {@link #storedBytes}: the caller bounds
   * loose entries per writer.
   *
   * @return false, writing nothing, if an entry with this id is held or the author's chain reaches
   *     its seq
   * @throws IllegalArgumentException for a root-log entry or one without content
   */
  boolean applyLoose(LogEntry entry);

  /** Every loose entry held ({@link #applyLoose}), in (author, seq) order, with content. */
  List<LogEntry> looseEntries();

  /** The bytes of the loose entries held: each entry's signed bytes and signature, and content. */
  long looseBytes();

  /**
   * Removes loose entries, the oldest (by timestamp, then id) first, with their content and rows,
   * until at most {@code targetBytes} of them are held ({@link #looseBytes}).
   *
   * @return those removed, with their content (an index kept outside the store drops them too)
   */
  List<LogEntry> evictLoose(long targetBytes);

  /** The bytes {@link #looseBytes} counts for a loose entry. */
  static long looseSize(SignedEntry s) {
    return s.entryBytes().length + s.signature().length + s.header().contentSize();
  }

  /**
   * Whether the entry {@code e} is deleted: a device-log entry that a held delete of its identity
   * names (whether the delete came before or after it). Its content is gone for good; this does not
   * depend on whether {@code e} is held.
   */
  boolean deleted(LogEntry e);

  /** Every device the identity's root log (as held) delegated, with its status, in key order. */
  java.util.SortedMap<AuthorKey, org.grapevine.protocol.validation.DeviceStatus> devices(
      Identity identity);

  /** The held entry at {@code seq} with its content, if held. */
  Optional<LogEntry> logEntry(AuthorKey author, long seq);

  /** The held entry with this id, with its content if held. */
  Optional<LogEntry> entryById(EntryId id);

  /**
   * Drops the content of a held device-log entry and every index row derived from it (reply,
   * reaction); the signed entry stays, so the chain still verifies.
   *
   * @return false if the entry is not held or holds no content
   * @throws IllegalArgumentException for a root-log entry (its content defines the devices)
   */
  boolean deleteContent(EntryId target);

  /**
   * Whether the entry {@code e} (with or without its content) is held without its content while no
   * held delete names it: its content is missing (to fetch), not deleted. False for an entry held
   * with its content, a deleted one, and one not held.
   */
  boolean contentMissing(LogEntry e);

  /** Missing content of the identity's entries, in (content hash, entry id) order, at most max. */
  List<MissingContent> missingContent(Identity identity, int max);

  /** The identity's entries whose content, with this hash, is missing, in entry id order. */
  List<MissingContent> missingContent(Identity identity, ContentHash hash);

  /**
   * Fills in the content of a held entry whose content is missing, with every row derived from it
   * (reply, reaction, byte count; for a delete, its effect on its target), in one atomic write. The
   * caller has checked {@code full}'s content against the signed hash ({@code
   * EntryValidator.attachContent}).
   *
   * @return false, writing nothing, if the entry is not held with its content missing (held with
   *     content, deleted, or not held)
   * @throws IllegalArgumentException if {@code full} carries no content
   */
  boolean fillContent(LogEntry full);

  /**
   * Content with this hash, held for any entry (equal content is equal bytes): what sync serves
   * when a peer asks for content by hash. Deleted content is not held, so never served.
   */
  Optional<byte[]> contentByHash(ContentHash hash);

  /** Keeps both entries of a fork as evidence; the identity is then flagged ({@link #forks}). */
  void recordFork(SignedEntry held, SignedEntry incoming);

  /** Fork evidence against the identity's logs, in (author, seq) order; empty if none. */
  List<ForkEvidence> forks(Identity identity);

  /**
   * Every identity with fork evidence held, in key order (a scan of the fork rows alone, which are
   * rare: one per fork seen).
   */
  Set<Identity> forkedIdentities();

  /** Posts and reposts of the identities strictly before {@code beforeMillis}, newest first. */
  default List<LogEntry> timeline(Set<Identity> identities, long beforeMillis, int limit) {
    return timeline(identities, TimelineCursor.before(beforeMillis), limit);
  }

  /**
   * Posts and reposts of the identities strictly before the cursor in (timestamp, id) order, newest
   * first; the next page starts at {@code TimelineCursor.after(last of this page)}.
   */
  List<LogEntry> timeline(Set<Identity> identities, TimelineCursor before, int limit);

  /**
   * Held entries that address {@code who} ({@code Addressees}: replies to and mentions of it,
   * reactions to and reposts of its entries, follows and unfollows of it), other than its own,
   * strictly before the cursor in (timestamp, id) order, newest first: its notifications. Rows go
   * with the content, so a deleted entry is not among them.
   */
  List<LogEntry> addressedTo(Identity who, TimelineCursor before, int limit);

  /** Held posts whose reply_to.parent names {@code parent}, in id order. */
  List<LogEntry> replies(EntryId parent);

  /** Held reactions whose target names {@code target}, in id order. */
  List<LogEntry> reactions(EntryId target);

  /**
   * How many held entries answer {@code id}: direct replies, reposts, quotes, reactions per emoji
   * ({@link EntryCounts}). A deleted reply, repost or reaction does not count (its delete drops the
   * row with its content), nor one whose content is missing (not known to answer {@code id} yet).
   * Each entry counts once, so two reactions of one identity with one emoji count two. Bounded:
   * scans the three index ranges of {@code id} reading no entry, in time linear in the rows
   * counted.
   */
  default EntryCounts counts(EntryId id) {
    return counts(id, Set.of());
  }

  /**
   * {@link #counts(EntryId)} leaving out the entries written by the devices in {@code except}: the
   * API passes the devices of blocked identities, whose answers held from before the block are
   * hidden (issue 15). Same bound.
   */
  EntryCounts counts(EntryId id, Set<AuthorKey> except);

  /**
   * The held entry a held quote post quotes; empty when {@code post} is not a quote post, its
   * content is not held, or the quoted entry is not held. The same reading as the QUOTE index.
   */
  default Optional<LogEntry> quoteOriginal(LogEntry post) {
    return post.content().map(EntryIndexer::quoteTarget).flatMap(this::entryById);
  }

  /**
   * The held entry a held repost reposts; empty when {@code repost} is not a repost, its content is
   * not held, or the original is not held. The same reading of the repost's target as the store's
   * REPOST index ({@code EntryIndexer}).
   */
  default Optional<LogEntry> repostOriginal(LogEntry repost) {
    return repost.content().map(EntryIndexer::repostTarget).flatMap(this::entryById);
  }

  /**
   * The entry a delete's content names; empty for other content. The store's own reading ({@code
   * EntryIndexer}), for indexes kept outside the store (search) that follow a delete's effect.
   */
  static Optional<EntryId> deleteTarget(org.grapevine.protocol.proto.Content c) {
    return Optional.ofNullable(EntryIndexer.deleteTarget(c));
  }

  /**
   * Ids of held entries whose hex form starts with {@code hexPrefix} (lower case, 1 to 64 hex
   * digits), in id order, at most {@code max}: resolves abbreviated ids as git does.
   */
  List<EntryId> entryIdsWithPrefix(String hexPrefix, int max);

  /** Identities whose root log is held (that is, with at least one delegated device), in order. */
  Set<Identity> identities();

  /** Content bytes held for the identity (all its logs), for the node's quota. */
  long storedBytes(Identity identity);

  void follow(Identity identity);

  void unfollow(Identity identity);

  Set<Identity> follows();

  void mute(Identity identity);

  void unmute(Identity identity);

  boolean isMuted(Identity identity);

  Set<Identity> mutes();

  /**
   * Blocks an identity (issue 15): local and private like a mute, and stronger. The engine ignores
   * its entries (counted as blocked), and the API hides the replies, reactions, reposts and quotes
   * it wrote before the block ({@link #counts(EntryId, Set)}). Other parts of the node refuse what
   * it addresses to this node by asking {@link #isBlocked}. Does not change follows: the caller
   * ({@code Node.block}) unfollows.
   */
  void block(Identity identity);

  void unblock(Identity identity);

  /** Whether the identity is blocked; cheap (cached like {@link #isMuted}), for every ingest. */
  boolean isBlocked(Identity identity);

  Set<Identity> blocks();

  /**
   * Remembers a peer's addresses (replacing earlier ones).
   *
   * @return false when the table is full and the peer is new: the caller decides whom to forget
   */
  boolean putPeer(String peerId, String addresses);

  void removePeer(String peerId);

  /** Peer id text to addresses text, in peer id order. */
  Map<String, String> peers();

  void putMetadata(String name, byte[] value);

  Optional<byte[]> metadata(String name);

  /**
   * Recomputes every derived record (heads, devices, indexes, byte counts) from entries and
   * content.
   */
  void rebuildIndexes();

  @Override
  void close();
}
