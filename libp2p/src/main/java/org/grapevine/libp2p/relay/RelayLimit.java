package org.grapevine.libp2p.relay;

/**
 * The {@code Limit} of a relayed connection (circuit-v2.md): the relay resets the circuit once it
 * has lasted {@code durationSeconds}, or once {@code dataBytes} have passed in either direction
 * (each direction counted on its own). 0 means no limit on that quantity, as an absent field does
 * on the wire.
 */
public record RelayLimit(long durationSeconds, long dataBytes) {
  /** No limit at all (the wire message then carries no Limit). */
  public static final RelayLimit NONE = new RelayLimit(0, 0);

  public RelayLimit {
    if (durationSeconds < 0 || durationSeconds > 0xFFFF_FFFFL || dataBytes < 0) {
      throw new IllegalArgumentException(
          "limit out of range: " + durationSeconds + " s, " + dataBytes + " bytes");
    }
  }

  public boolean isNone() {
    return durationSeconds == 0 && dataBytes == 0;
  }
}
