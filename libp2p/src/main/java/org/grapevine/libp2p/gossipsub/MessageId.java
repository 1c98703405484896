package org.grapevine.libp2p.gossipsub;

import com.google.protobuf.ByteString;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A message id: opaque bytes computed by the network's {@link MessageIdFunction}, carried in IHAVE,
 * IWANT and IDONTWANT. Immutable value class (backed by a {@link ByteString}, so that it goes onto
 * the wire without a copy).
 */
public final class MessageId {
  private final ByteString bytes;

  private MessageId(ByteString bytes) {
    this.bytes = bytes;
  }

  public static MessageId of(ByteString bytes) {
    return new MessageId(Objects.requireNonNull(bytes, "bytes"));
  }

  public static MessageId of(byte[] bytes) {
    return new MessageId(ByteString.copyFrom(bytes));
  }

  public ByteString toByteString() {
    return bytes;
  }

  public byte[] toBytes() {
    return bytes.toByteArray();
  }

  public int size() {
    return bytes.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageId other && bytes.equals(other.bytes);
  }

  @Override
  public int hashCode() {
    return bytes.hashCode();
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }
}
