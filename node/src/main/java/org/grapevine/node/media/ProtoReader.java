package org.grapevine.node.media;

/**
 * Reads protobuf wire format from a byte array, refusing rather than skipping: dag-pb wants unknown
 * fields and wire types rejected (ipld/specs dag-pb "Protobuf Strictness" rule 4), so this reader
 * has no {@code skip}. Every length is checked against the bytes that remain, so a peer's lengths
 * can never make us read past the node or allocate more than it holds.
 */
final class ProtoReader {
  static final int WIRE_VARINT = 0;
  static final int WIRE_BYTES = 2;

  /** A varint longer than this cannot be a uint64. */
  private static final int MAX_VARINT_BYTES = 10;

  private final byte[] bytes;
  private int pos;
  private final int end;
  private final String what;

  ProtoReader(byte[] bytes, int offset, int length, String what) {
    this.bytes = bytes;
    this.pos = offset;
    this.end = offset + length;
    this.what = what;
  }

  ProtoReader(byte[] bytes, String what) {
    this(bytes, 0, bytes.length, what);
  }

  boolean done() {
    return pos >= end;
  }

  /** The next tag, checked to be a field we know: {@code field << 3 | wireType}. */
  int tag() throws MediaException {
    long tag = varint();
    if (tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
      throw malformed("field tag " + tag);
    }
    return (int) tag;
  }

  /** An unsigned varint as a non-negative long; values above 2^63 - 1 are refused. */
  long varint() throws MediaException {
    long value = 0;
    for (int i = 0; i < MAX_VARINT_BYTES; i++) {
      if (pos >= end) {
        throw malformed("truncated varint");
      }
      int b = bytes[pos++] & 0xff;
      if (i == 9 && b > 0) {
        // the tenth byte carries bit 63 and up: past what a non-negative long holds
        throw malformed("varint over 2^63 - 1");
      }
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        if (i > 0 && b == 0) {
          throw malformed("varint with a redundant trailing byte");
        }
        return value;
      }
    }
    throw malformed("varint over " + MAX_VARINT_BYTES + " bytes");
  }

  /** A length-delimited field's bytes, copied. */
  byte[] bytes() throws MediaException {
    int[] span = span();
    byte[] out = new byte[span[1]];
    System.arraycopy(bytes, span[0], out, 0, span[1]);
    return out;
  }

  /** A nested message: a reader over the length-delimited field that follows. */
  ProtoReader message(String nested) throws MediaException {
    int[] span = span();
    return new ProtoReader(bytes, span[0], span[1], nested);
  }

  private int[] span() throws MediaException {
    long length = varint();
    if (length > end - pos) {
      throw malformed("a length of " + length + " with " + (end - pos) + " bytes left");
    }
    int start = pos;
    pos += (int) length;
    return new int[] {start, (int) length};
  }

  MediaException malformed(String detail) {
    return new MediaException(MediaError.MALFORMED_NODE, what + ": " + detail);
  }
}
