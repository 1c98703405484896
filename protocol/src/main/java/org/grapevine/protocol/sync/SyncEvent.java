package org.grapevine.protocol.sync;

import java.util.List;

/** What a {@link SyncSession} tells its node. */
public sealed interface SyncEvent
    permits SyncEvent.EntriesReceived,
        SyncEvent.ContentReceived,
        SyncEvent.EntriesByRefReceived,
        SyncEvent.Completed,
        SyncEvent.Failed {

  /**
   * One batch of envelopes from the peer, in log order, structurally checked (sizes, requested
   * author and seq, in order) but not verified: the node validates each with EntryValidator and
   * ChainChecker, stores it, then calls {@link SyncSession#acknowledge} with the count (which lets
   * the peer send more), or {@link SyncSession#rejectEntries} if one is invalid. The list and its
   * arrays belong to the receiver.
   */
  record EntriesReceived(List<byte[]> envelopes) implements SyncEvent {}

  /**
   * Content the peer answered a WantContent with, each checked to hash (SHA-256) to the hash asked
   * for; hashes the peer does not hold are left out. The node fills in every entry it holds without
   * that content after checking the content against the signed entry. Needs no acknowledgement.
   */
  record ContentReceived(List<FetchedContent> contents) implements SyncEvent {}

  /**
   * Entries the peer answered a WantEntries with (sync.proto step 5a), each an encoded {@code
   * Addressed} message whose entry the session checked is one asked for (its id and identity), at
   * most once; refs the peer does not hold are left out. Not verified: the node checks each with
   * {@code AddressedValidator} and stores it outside its writer's chain; an invalid one is the
   * peer's fault ({@link SyncSession#rejectEntries}). Needs no acknowledgement. The list and its
   * arrays belong to the receiver.
   */
  record EntriesByRefReceived(List<byte[]> items) implements SyncEvent {}

  /**
   * Both sides have what they asked for; the stream can be closed once the outbound queue is
   * drained. Batches received before it come first in the event order; the node may still be
   * ingesting them, and {@link SyncSession#acknowledge} stays allowed (it no longer grants credit).
   */
  record Completed(SyncStats stats) implements SyncEvent {}

  /**
   * The session is over without completing; an Error has been queued for the peer unless {@code
   * fault} is {@link Fault#REPORTED_BY_PEER}.
   */
  record Failed(SyncErrorCode code, Fault fault, String detail) implements SyncEvent {}

  /** Whose fault a failure is (h11's Local vs Remote protocol errors). */
  enum Fault {
    /** The peer broke the protocol or sent invalid entries: penalise it. */
    PEER,
    /** Not the peer's fault as far as we know: a timeout, or our node cancelled. */
    LOCAL,
    /** The peer sent an Error: its code says what it thinks went wrong with us. */
    REPORTED_BY_PEER
  }
}
