package org.grapevine.libp2p.bitswap;

/**
 * What a {@link Bitswap} core did and dropped, since it started: nothing is dropped without being
 * counted here. Read on the core's thread; {@link #copy} is a snapshot for other threads.
 */
public final class BitswapCounters {
  long blocksReceived;
  long duplicateBlocks;
  long unsolicitedBlocks;
  long mismatchedBlocks;
  long unsolicitedPresences;
  long skippedEntries;
  long wantsRefused;
  long blocksSent;
  long blockBytesSent;
  long havesSent;
  long dontHavesSent;
  long malformedMessages;
  long wantsOverLimit;
  long blocksAddedAnswered;
  long wantsReceived;

  /** A snapshot, for another thread to read (take it on the core's thread). */
  public BitswapCounters copy() {
    BitswapCounters c = new BitswapCounters();
    c.blocksReceived = blocksReceived;
    c.duplicateBlocks = duplicateBlocks;
    c.unsolicitedBlocks = unsolicitedBlocks;
    c.mismatchedBlocks = mismatchedBlocks;
    c.unsolicitedPresences = unsolicitedPresences;
    c.skippedEntries = skippedEntries;
    c.wantsRefused = wantsRefused;
    c.blocksSent = blocksSent;
    c.blockBytesSent = blockBytesSent;
    c.havesSent = havesSent;
    c.dontHavesSent = dontHavesSent;
    c.malformedMessages = malformedMessages;
    c.wantsOverLimit = wantsOverLimit;
    c.blocksAddedAnswered = blocksAddedAnswered;
    c.wantsReceived = wantsReceived;
    return c;
  }

  /** Wanted blocks that arrived and verified. */
  public long blocksReceived() {
    return blocksReceived;
  }

  /** Blocks we had wanted but already got or cancelled (a race, not a fault): dropped. */
  public long duplicateBlocks() {
    return duplicateBlocks;
  }

  /** Blocks nobody asked for: dropped, the sender reported. */
  public long unsolicitedBlocks() {
    return unsolicitedBlocks;
  }

  /** Blocks whose bytes hash to nothing we asked the sender for: dropped, the sender reported. */
  public long mismatchedBlocks() {
    return mismatchedBlocks;
  }

  /** HAVE or DONT_HAVE for CIDs we do not (or no longer) want: ignored. */
  public long unsolicitedPresences() {
    return unsolicitedPresences;
  }

  /** Entries the codec skipped for CIDs we do not serve ({@link BitswapMessage#skipped}). */
  public long skippedEntries() {
    return skippedEntries;
  }

  /** Peers' want entries taken into their ledgers (cancels and refused ones not counted). */
  public long wantsReceived() {
    return wantsReceived;
  }

  /** Wants over {@link BitswapLimits#maxWantsPerPeer}: ignored, the sender reported. */
  public long wantsRefused() {
    return wantsRefused;
  }

  public long blocksSent() {
    return blocksSent;
  }

  public long blockBytesSent() {
    return blockBytesSent;
  }

  public long havesSent() {
    return havesSent;
  }

  public long dontHavesSent() {
    return dontHavesSent;
  }

  /** Messages that did not decode ({@link Bitswap#handleMalformed}). */
  public long malformedMessages() {
    return malformedMessages;
  }

  /** Our own wants refused because {@link BitswapLimits#maxWants} were open. */
  public long wantsOverLimit() {
    return wantsOverLimit;
  }

  /**
   * Peers' wants answered anew by {@link Bitswap#blockAdded}: a block or HAVE for a CID they asked
   * for before we had it.
   */
  public long blocksAddedAnswered() {
    return blocksAddedAnswered;
  }

  @Override
  public String toString() {
    return "BitswapCounters[received "
        + blocksReceived
        + ", duplicate "
        + duplicateBlocks
        + ", unsolicited "
        + unsolicitedBlocks
        + ", mismatched "
        + mismatchedBlocks
        + ", unsolicitedPresences "
        + unsolicitedPresences
        + ", skipped "
        + skippedEntries
        + ", wantsReceived "
        + wantsReceived
        + ", wantsRefused "
        + wantsRefused
        + ", sent "
        + blocksSent
        + " ("
        + blockBytesSent
        + " bytes), haves "
        + havesSent
        + ", dontHaves "
        + dontHavesSent
        + ", malformed "
        + malformedMessages
        + ", wantsOverLimit "
        + wantsOverLimit
        + ", blocksAddedAnswered "
        + blocksAddedAnswered
        + "]";
  }
}
