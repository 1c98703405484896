package org.grapevine.node.media;

import java.io.ByteArrayOutputStream;

/** Writes protobuf wire format in the field order the caller chooses (dag-pb fixes the order). */
final class ProtoWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  ProtoWriter varintField(int field, long value) {
    varint((long) field << 3 | ProtoReader.WIRE_VARINT);
    varint(value);
    return this;
  }

  ProtoWriter bytesField(int field, byte[] value) {
    varint((long) field << 3 | ProtoReader.WIRE_BYTES);
    varint(value.length);
    out.writeBytes(value);
    return this;
  }

  private void varint(long value) {
    long v = value;
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
