package org.grapevine.libp2p.relay;

/**
 * The data limit of one direction of one circuit (circuit-v2.md "Limits": at most {@code data}
 * bytes relayed in each direction). The relay's pipe asks before forwarding each chunk; once a
 * chunk does not fit, the part that fits is forwarded and the circuit is reset. Each direction has
 * its own budget, touched only by the event loop of the stream it reads from.
 */
public final class CircuitBudget {
  private final long limitBytes;
  private long relayedBytes;
  private boolean exhausted;

  /**
   * @param limitBytes 0 for no limit
   */
  public CircuitBudget(long limitBytes) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /**
   * Takes {@code bytes} from the budget and returns how many of them may be forwarded; fewer than
   * asked means the limit is reached and the circuit must end ({@link #exhausted} is then true).
   */
  public long admit(long bytes) {
    if (exhausted) {
      return 0;
    }
    if (limitBytes == 0) {
      relayedBytes += bytes;
      return bytes;
    }
    long allowed = Math.min(bytes, limitBytes - relayedBytes);
    relayedBytes += allowed;
    if (allowed < bytes) {
      exhausted = true;
    }
    return allowed;
  }

  public boolean exhausted() {
    return exhausted;
  }

  public long relayedBytes() {
    return relayedBytes;
  }
}
