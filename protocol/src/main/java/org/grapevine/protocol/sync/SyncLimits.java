package org.grapevine.protocol.sync;

import org.grapevine.protocol.Limits;

/**
 * Limits of the sync protocol. The static constants are wire limits every reader enforces on its
 * peer (raise them only with the protocol version); the record components are this side's own
 * choices, each at most the wire limit.
 *
 * @param batchEntries entries this side puts in one batch it serves
 * @param batchBytes envelope bytes this side puts in one batch it serves
 * @param creditWindowBatches batches the peer may have sent that our node has not yet acknowledged:
 *     the back-pressure window
 * @param idleTimeoutNanos how long the session waits for the next message from the peer
 */
public record SyncLimits(
    int batchEntries, int batchBytes, int creditWindowBatches, long idleTimeoutNanos) {
  /** Protocol id of the libp2p stream. */
  public static final String PROTOCOL_ID = "/grapevine/sync/1.0.0";

  /** SyncMessage.version of this schema. */
  public static final int VERSION = 1;

  /** Entries in one batch. */
  public static final int MAX_BATCH_ENTRIES = 256;

  /** Sum of the encoded envelope sizes in one batch; always room for the largest envelope. */
  public static final int MAX_BATCH_BYTES = 1024 * 1024;

  /**
   * One encoded SyncMessage. A full batch plus its framing (a few bytes per envelope) fits; so does
   * a Heads message at its item limits (about 800 KB).
   */
  public static final int MAX_MESSAGE_BYTES = MAX_BATCH_BYTES + 64 * 1024;

  /** Identities in one Heads message. */
  public static final int MAX_HEADS_IDENTITIES = 512;

  /** Logs (root plus devices) of one identity in a Heads message. */
  public static final int MAX_LOGS_PER_IDENTITY = 32;

  /** Identities over all Heads messages of one session: bounds what a peer makes us compute. */
  public static final int MAX_SESSION_IDENTITIES = 16 * 1024;

  /**
   * Identities named in one WantHeads (sync.proto step 2a); its answer, at the Heads limits per
   * identity, fits one message as a Heads message of as many identities does.
   */
  public static final int MAX_NAMES_PER_WANT = MAX_HEADS_IDENTITIES;

  /**
   * Identities a peer may name in one session. Each costs the server a look-up of the identity's
   * logs, as each followed identity costs it to write its own Heads; this bounds what one session
   * makes it read. A side following more names a rotating window of them per session, those it
   * holds nothing of first.
   */
  public static final int MAX_NAMES_PER_SESSION = 4096;

  /** Ranges in one Want message. */
  public static final int MAX_RANGES_PER_WANT = 1024;

  /** Ranges a peer may have open with us at once. */
  public static final int MAX_OPEN_RANGES = 16 * 1024;

  /** Credit a peer may hold with us at once, in batches. */
  public static final int MAX_CREDIT_BATCHES = 64;

  /**
   * Content hashes in one WantContent. Its answer, every content at Limits.MAX_CONTENT_BYTES, fits
   * one message of at most {@link #MAX_MESSAGE_BYTES} (about 1.0 MiB).
   */
  public static final int MAX_CONTENT_PER_WANT = 64;

  /** WantContent messages a peer may have unanswered with us at once. */
  public static final int MAX_OPEN_CONTENT_WANTS = 4;

  /**
   * Content hashes this side asks for in one session; the rest waits for the next session. Not a
   * wire limit: a peer may ask for more, one WantContent at a time.
   */
  public static final int MAX_CONTENT_PER_SESSION = 4096;

  /**
   * Refs in one WantEntries (sync.proto step 5a). Its answer, every item at {@link
   * Limits#MAX_ADDRESSED_BYTES} (about 17 KiB), fits one message of at most {@link
   * #MAX_MESSAGE_BYTES} with room to spare (about 550 KiB).
   */
  public static final int MAX_REFS_PER_WANT = 32;

  /**
   * Refs a peer may ask for in one session. Each costs the server a look-up by id and of the
   * entry's delegation, and answers are sent without credit: this bounds what one session makes it
   * read and send (about 4.3 MiB at most). A side wanting more asks for the rest in later sessions.
   */
  public static final int MAX_REFS_PER_SESSION = 256;

  /** Detail text of an Error message, in UTF-8 bytes. */
  public static final int MAX_ERROR_DETAIL_BYTES = 1024;

  /** Full batches, a window of 4 batches (at most 4 MiB buffered), 30 s idle timeout. */
  public static final SyncLimits DEFAULT =
      new SyncLimits(MAX_BATCH_ENTRIES, MAX_BATCH_BYTES, 4, 30_000_000_000L);

  /**
   * For a connection through a relay, whose circuit carries little (circuit relay v2: 128 KiB by
   * default) before the relay cuts it: batches of 32 KiB (two of the largest envelopes) and a
   * window of 2, so that what is in flight fits in one circuit with room for the rest of the
   * traffic, and every circuit completes batches before it is cut; the next one resumes after them.
   */
  public static final SyncLimits LIMITED =
      new SyncLimits(MAX_BATCH_ENTRIES, 32 * 1024, 2, 30_000_000_000L);

  public SyncLimits {
    if (batchEntries < 1 || batchEntries > MAX_BATCH_ENTRIES) {
      throw new IllegalArgumentException(
          "batchEntries " + batchEntries + ", must be 1.." + MAX_BATCH_ENTRIES);
    }
    // Every entry must fit in a batch of its own, or a log could never be served past it.
    if (batchBytes < Limits.MAX_ENVELOPE_BYTES || batchBytes > MAX_BATCH_BYTES) {
      throw new IllegalArgumentException(
          "batchBytes "
              + batchBytes
              + ", must be "
              + Limits.MAX_ENVELOPE_BYTES
              + ".."
              + MAX_BATCH_BYTES);
    }
    if (creditWindowBatches < 1 || creditWindowBatches > MAX_CREDIT_BATCHES) {
      throw new IllegalArgumentException(
          "creditWindowBatches " + creditWindowBatches + ", must be 1.." + MAX_CREDIT_BATCHES);
    }
    if (idleTimeoutNanos <= 0) {
      throw new IllegalArgumentException("idleTimeoutNanos must be positive");
    }
  }
}
