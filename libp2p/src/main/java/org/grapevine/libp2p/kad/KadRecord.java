package org.grapevine.libp2p.kad;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value record of GET_VALUE and PUT_VALUE (the spec's {@code Record}). The bytes are copied in
 * and out: a record is a value, and the arrays must not change under a store that validated them.
 *
 * @param timeReceived set by the receiver, as text (go and js write RFC 3339); empty when unset
 */
// Copied in and out, with equals, hashCode and toString over the contents.
@SuppressWarnings("ArrayRecordComponent")
public record KadRecord(byte[] key, byte[] value, String timeReceived) {
  public KadRecord {
    key = key.clone();
    value = value.clone();
    Objects.requireNonNull(timeReceived, "timeReceived");
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadRecord r
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && timeReceived.equals(r.timeReceived);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + timeReceived.hashCode();
  }

  @Override
  public String toString() {
    return "KadRecord[key=" + key.length + " bytes, value=" + value.length + " bytes]";
  }
}
