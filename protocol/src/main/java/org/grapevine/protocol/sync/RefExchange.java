package org.grapevine.protocol.sync;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Addressed;
import org.grapevine.protocol.proto.EntriesByRef;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.WantEntries;

/**
 * Step 5a of one sync session (sync.proto, "Entries by reference"), both roles, for {@link
 * SyncSession}, which decides when each method runs. Not thread-safe, like the session.
 *
 * <p>Client: {@link #ask} once with the refs to ask for (after the peer's last Heads and its
 * names), then {@link #nextWant} whenever no WantEntries is open, and {@link #onEntriesByRef} for
 * each answer; {@link #settled} says when nothing is left to ask. Server: {@link #onWantEntries}
 * answers at once. The session makes one only when it has refs to ask for or is asked (most
 * sessions do neither, and a simulation holds hundreds of thousands of sessions at once).
 *
 * <p>Rules: an answer is checked whole before anything is passed on: every item must be the entry
 * of a ref of the open WantEntries, in the order asked, at most once, of the ref's identity, and at
 * most {@link Limits#MAX_ADDRESSED_BYTES}; otherwise the session fails, the peer at fault. The
 * signatures and the delegation are the node's to check ({@code AddressedValidator}).
 */
final class RefExchange {
  private final SyncSource source;

  // Client role.
  private ArrayDeque<EntryRef> toAsk;
  private List<EntryRef> asked = List.of();

  // Server role.
  private int refsReceived;

  RefExchange(SyncSource source) {
    this.source = source;
  }

  /** The refs to ask the peer for ({@link SyncSource#wantedEntries}); called at most once. */
  void ask(List<EntryRef> wanted) {
    if (!wanted.isEmpty()) {
      toAsk = new ArrayDeque<>(wanted);
    }
  }

  /** Every ref asked for is answered. */
  boolean settled() {
    return (toAsk == null || toAsk.isEmpty()) && asked.isEmpty();
  }

  /** The next WantEntries to send, if none is open and refs are left; else empty. */
  Optional<byte[]> nextWant() {
    if (!asked.isEmpty() || toAsk == null || toAsk.isEmpty()) {
      return Optional.empty();
    }
    asked = new ArrayList<>();
    while (!toAsk.isEmpty() && asked.size() < SyncLimits.MAX_REFS_PER_WANT) {
      asked.add(toAsk.pollFirst());
    }
    return Optional.of(SyncMessageCodec.wantEntries(asked));
  }

  /**
   * The answer to the open WantEntries: the items, each an encoded Addressed message, once all are
   * checked.
   */
  List<byte[]> onEntriesByRef(EntriesByRef answer) throws SyncProtocolException {
    int n = answer.getItemsCount();
    if (asked.isEmpty() || n > asked.size()) {
      throw new SyncProtocolException(
          SyncErrorCode.UNREQUESTED_ENTRIES,
          "EntriesByRef of " + n + " items, " + asked.size() + " refs asked for");
    }
    List<byte[]> items = new ArrayList<>(n);
    int next = 0; // Items come in the order asked: each matches a ref after the previous one's.
    for (Addressed item : answer.getItemsList()) {
      byte[] encoded = item.toByteArray();
      if (encoded.length > Limits.MAX_ADDRESSED_BYTES) {
        throw new SyncProtocolException(
            SyncErrorCode.MESSAGE_TOO_LARGE,
            "item of " + encoded.length + " bytes, at most " + Limits.MAX_ADDRESSED_BYTES);
      }
      ByteString entryBytes = item.getEntry().getEntry();
      if (entryBytes.size() > Limits.MAX_ENTRY_BYTES) {
        throw new SyncProtocolException(
            SyncErrorCode.MESSAGE_TOO_LARGE, "entry header of " + entryBytes.size() + " bytes");
      }
      EntryId id = EntryId.ofEntryBytes(entryBytes.toByteArray());
      while (next < asked.size() && !asked.get(next).entry().equals(id)) {
        next++;
      }
      if (next == asked.size()) {
        throw new SyncProtocolException(
            SyncErrorCode.UNREQUESTED_ENTRIES,
            "entry " + id + " not asked for, answered twice or out of order");
      }
      EntryRef ref = asked.get(next++);
      if (!identity(entryBytes).equals(SyncMessageCodec.bytes(ref.identity()))) {
        throw new SyncProtocolException(
            SyncErrorCode.UNREQUESTED_ENTRIES,
            "entry " + id + " is not an entry of " + ref.identity() + " as asked");
      }
      items.add(encoded);
    }
    asked = List.of();
    return items;
  }

  /** Answers one WantEntries of the peer with the items this node holds. */
  byte[] onWantEntries(WantEntries want) throws SyncProtocolException {
    int n = want.getRefsCount();
    if (n == 0) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "empty WantEntries");
    }
    if (n > SyncLimits.MAX_REFS_PER_WANT || refsReceived + n > SyncLimits.MAX_REFS_PER_SESSION) {
      throw new SyncProtocolException(
          SyncErrorCode.TOO_MANY_REFS,
          n
              + " refs in WantEntries, "
              + refsReceived
              + " before; limits "
              + SyncLimits.MAX_REFS_PER_WANT
              + " and "
              + SyncLimits.MAX_REFS_PER_SESSION
              + " per session");
    }
    List<EntryRef> refs = new ArrayList<>(n);
    for (Ref r : want.getRefsList()) {
      Identity identity = Identity.of(SyncMessageCodec.key(r.getIdentity(), "identity"));
      if (r.getEntry().size() != Limits.HASH_BYTES) {
        throw new SyncProtocolException(
            SyncErrorCode.MALFORMED_MESSAGE,
            "entry id of " + r.getEntry().size() + " bytes, must be " + Limits.HASH_BYTES);
      }
      refs.add(new EntryRef(identity, EntryId.of(r.getEntry().toByteArray())));
    }
    refsReceived += n;
    List<byte[]> items = new ArrayList<>();
    for (EntryRef ref : refs) {
      Optional<byte[]> item = source.entryByRef(ref);
      if (item.isPresent()) {
        if (item.get().length > Limits.MAX_ADDRESSED_BYTES) {
          throw new IllegalStateException(
              "SyncSource answered " + item.get().length + " bytes for " + ref);
        }
        items.add(item.get());
      }
    }
    return SyncMessageCodec.entriesByRef(items);
  }

  /** The session failed: nothing more is asked. */
  void clear() {
    toAsk = null;
    asked = List.of();
  }

  private static ByteString identity(ByteString entryBytes) throws SyncProtocolException {
    try {
      return Entry.parseFrom(entryBytes).getIdentity();
    } catch (InvalidProtocolBufferException e) {
      throw new SyncProtocolException(
          SyncErrorCode.MALFORMED_MESSAGE, "entry header does not decode: " + e.getMessage());
    }
  }
}
