package org.grapevine.protocol.validation;

/**
 * What an identity's root log says about one device key.
 *
 * @param lastValidSeq for a revoked device: entries of its log up to this seq stay valid
 */
public record DeviceStatus(State state, long lastValidSeq) {
  public enum State {
    /** No delegation seen (yet): the root log may be incomplete, or the device is a stranger. */
    UNKNOWN,
    ACTIVE,
    REVOKED
  }

  public static final DeviceStatus UNKNOWN = new DeviceStatus(State.UNKNOWN, 0);
  public static final DeviceStatus ACTIVE = new DeviceStatus(State.ACTIVE, 0);

  public static DeviceStatus revoked(long lastValidSeq) {
    return new DeviceStatus(State.REVOKED, lastValidSeq);
  }

  /** Whether the device may have written entry {@code seq} of its log. */
  public boolean allows(long seq) {
    return state == State.ACTIVE || (state == State.REVOKED && seq <= lastValidSeq);
  }
}
