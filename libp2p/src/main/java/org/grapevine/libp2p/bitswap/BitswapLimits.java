package org.grapevine.libp2p.bitswap;

/**
 * The bounds of one {@link Bitswap} core and its {@link BitswapCodec}.
 *
 * @param maxMessageBytes a whole message, either way (the spec: at most 4 MiB)
 * @param maxBlockBytes one block's data (the spec requires 2 MiB to work; our files are cut in
 *     blocks of at most 1 MiB, so a larger one is not ours)
 * @param maxWantsPerPeer wants we hold for one peer; the excess is ignored and reported
 * @param maxBytesInFlightPerPeer block bytes handed out by {@link Bitswap#pollOutgoing} and not yet
 *     reported written by {@link Bitswap#handleSent}: a slow peer holds this much of our memory
 * @param answerTimeoutNanos how long a peer may take to answer a want before we ask the next one
 * @param maxWants CIDs we want at once ({@link Bitswap#want}); a want of one more fails at once
 *     with {@link BitswapEvent.Reason#WANTLIST_FULL}. Every peer we ask holds our wants in its
 *     ledger, and servers cap that ledger (ours at {@code maxWantsPerPeer}, go's and js's at about
 *     a thousand) and ignore the excess: staying below keeps our wants from being dropped unseen.
 */
public record BitswapLimits(
    int maxMessageBytes,
    int maxBlockBytes,
    int maxWantsPerPeer,
    long maxBytesInFlightPerPeer,
    long answerTimeoutNanos,
    int maxWants) {
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_BLOCK_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_WANTS_PER_PEER = 1024;
  public static final long DEFAULT_MAX_BYTES_IN_FLIGHT_PER_PEER = 8L << 20;
  public static final long DEFAULT_ANSWER_TIMEOUT_NANOS = 10_000_000_000L;
  public static final int DEFAULT_MAX_WANTS = 256;

  /** Room in a message for its framing beside the largest block (tags, lengths, the prefix). */
  static final int MESSAGE_OVERHEAD_BYTES = 64;

  public BitswapLimits {
    if (maxBlockBytes < 1) {
      throw new IllegalArgumentException("maxBlockBytes must be positive, got " + maxBlockBytes);
    }
    if (maxMessageBytes < maxBlockBytes + MESSAGE_OVERHEAD_BYTES) {
      // Otherwise a block we accept could not be sent in any message.
      throw new IllegalArgumentException(
          "maxMessageBytes "
              + maxMessageBytes
              + " must leave room for a block of "
              + maxBlockBytes
              + " bytes");
    }
    if (maxWantsPerPeer < 1) {
      throw new IllegalArgumentException(
          "maxWantsPerPeer must be positive, got " + maxWantsPerPeer);
    }
    if (maxBytesInFlightPerPeer < maxBlockBytes) {
      throw new IllegalArgumentException(
          "maxBytesInFlightPerPeer must hold one block, got " + maxBytesInFlightPerPeer);
    }
    if (answerTimeoutNanos <= 0) {
      throw new IllegalArgumentException(
          "answerTimeoutNanos must be positive, got " + answerTimeoutNanos);
    }
    if (maxWants < 1) {
      throw new IllegalArgumentException("maxWants must be positive, got " + maxWants);
    }
  }

  /** The limits with {@link #DEFAULT_MAX_WANTS} wants of our own. */
  public BitswapLimits(
      int maxMessageBytes,
      int maxBlockBytes,
      int maxWantsPerPeer,
      long maxBytesInFlightPerPeer,
      long answerTimeoutNanos) {
    this(
        maxMessageBytes,
        maxBlockBytes,
        maxWantsPerPeer,
        maxBytesInFlightPerPeer,
        answerTimeoutNanos,
        DEFAULT_MAX_WANTS);
  }

  public BitswapLimits withMaxWants(int wants) {
    return new BitswapLimits(
        maxMessageBytes,
        maxBlockBytes,
        maxWantsPerPeer,
        maxBytesInFlightPerPeer,
        answerTimeoutNanos,
        wants);
  }

  public BitswapLimits withAnswerTimeoutNanos(long nanos) {
    return new BitswapLimits(
        maxMessageBytes, maxBlockBytes, maxWantsPerPeer, maxBytesInFlightPerPeer, nanos, maxWants);
  }

  public static BitswapLimits defaults() {
    return new BitswapLimits(
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_BLOCK_BYTES,
        DEFAULT_MAX_WANTS_PER_PEER,
        DEFAULT_MAX_BYTES_IN_FLIGHT_PER_PEER,
        DEFAULT_ANSWER_TIMEOUT_NANOS,
        DEFAULT_MAX_WANTS);
  }
}
