package org.grapevine.libp2p.encoding;

import io.netty.buffer.ByteBuf;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;

/**
 * Unsigned varints (multiformats unsigned-varint): LEB128, least significant group first, at most 9
 * bytes (63 bits), minimally encoded. Decoders take the largest value the caller accepts, so a
 * length prefix can never announce more than the caller will buffer.
 */
public final class Varint {
  /** The spec's cap: 9 bytes carry 63 bits. */
  public static final int MAX_BYTES = 9;

  private Varint() {}

  public static int size(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varints are unsigned 63-bit, got " + value);
    }
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  public static byte[] encode(long value) {
    byte[] out = new byte[size(value)];
    int i = 0;
    while ((value & ~0x7fL) != 0) {
      out[i++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out[i] = (byte) value;
    return out;
  }

  public static void write(ByteBuf out, long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varints are unsigned 63-bit, got " + value);
    }
    while ((value & ~0x7fL) != 0) {
      out.writeByte((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /**
   * Reads a varint if the buffer holds a whole one, advancing the reader index; returns -1 and
   * leaves the index alone if more bytes are needed.
   *
   * @param maxValue the largest value the caller accepts
   * @throws MalformedFrameException for a non-minimal encoding, more than 9 bytes, or a value above
   *     {@code maxValue}
   */
  public static long read(ByteBuf in, long maxValue) throws MalformedFrameException {
    int start = in.readerIndex();
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (!in.isReadable(i + 1)) {
        return -1;
      }
      int b = in.getUnsignedByte(start + i);
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MalformedFrameException(
              FrameError.BAD_VARINT, "varint is not minimally encoded");
        }
        if (value > maxValue) {
          throw new MalformedFrameException(
              FrameError.TOO_LARGE, "varint " + value + " exceeds the limit " + maxValue);
        }
        in.readerIndex(start + i + 1);
        return value;
      }
      if (value > maxValue) {
        // Fail early: a slow peer cannot keep us waiting for a value we would refuse anyway.
        throw new MalformedFrameException(
            FrameError.TOO_LARGE, "varint exceeds the limit " + maxValue);
      }
    }
    throw new MalformedFrameException(
        FrameError.BAD_VARINT, "varint longer than " + MAX_BYTES + " bytes");
  }

  /** Decodes a varint at {@code offset} of a byte array; returns {value, bytesUsed}. */
  public static long[] decode(byte[] bytes, int offset, long maxValue)
      throws MalformedFrameException {
    ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(bytes, offset, bytes.length - offset);
    long value = read(in, maxValue);
    if (value < 0) {
      throw new MalformedFrameException(FrameError.TRUNCATED, "truncated varint");
    }
    return new long[] {value, in.readerIndex()};
  }
}
