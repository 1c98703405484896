package org.grapevine.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.grapevine.libp2p.FrameError;

/**
 * Pure encode/decode of yamux frames (spec: libp2p/specs yamux/README.md "Framing"). Every header
 * is 12 bytes, big-endian; only Data frames have a body:
 *
 * <pre>
 *  0         1         2         4                   8                   12
 * +---------+---------+---------+-------------------+-------------------+----------------+
 * | version |  type   |  flags  |     stream id     |      length       | Data: length B |
 * |  u8 = 0 |   u8    |   u16   |        u32        |        u32        |   of payload   |
 * +---------+---------+---------+-------------------+-------------------+----------------+
 * </pre>
 */
public final class YamuxFrameCodec {
  public static final int HEADER_BYTES = 12;

  /** The only version the spec defines; anything else is a protocol error. */
  public static final int VERSION = 0;

  private YamuxFrameCodec() {}

  /**
   * Decodes one frame from the reader index of {@code in}.
   *
   * <p>Returns {@code null} without consuming anything when more bytes are needed. The header is
   * checked as soon as its 12 bytes are there, so an oversized Data length fails before its body is
   * buffered. A decoded Data frame's payload is a retained slice of {@code in}, owned by the
   * caller.
   *
   * @param maxDataBytes the largest Data body accepted (our largest receive window)
   * @throws YamuxException (protocol error) for a version other than 0, an unknown type, or a Data
   *     length over {@code maxDataBytes}
   */
  public static YamuxFrame decode(ByteBuf in, int maxDataBytes) throws YamuxException {
    if (maxDataBytes < 0) {
      throw new IllegalArgumentException("maxDataBytes < 0");
    }
    if (in.readableBytes() < HEADER_BYTES) {
      return null;
    }
    int at = in.readerIndex();
    int version = in.getUnsignedByte(at);
    if (version != VERSION) {
      throw new YamuxException(
          YamuxErrorCode.PROTOCOL_ERROR, FrameError.UNSUPPORTED, "unsupported version " + version);
    }
    int typeCode = in.getUnsignedByte(at + 1);
    YamuxType type = YamuxType.fromCode(typeCode);
    if (type == null) {
      throw new YamuxException(
          YamuxErrorCode.PROTOCOL_ERROR, FrameError.UNSUPPORTED, "unknown frame type " + typeCode);
    }
    int flags = in.getUnsignedShort(at + 2);
    long streamId = in.getUnsignedInt(at + 4);
    long length = in.getUnsignedInt(at + 8);
    ByteBuf payload = Unpooled.EMPTY_BUFFER;
    if (type == YamuxType.DATA) {
      if (length > maxDataBytes) {
        throw new YamuxException(
            YamuxErrorCode.PROTOCOL_ERROR,
            FrameError.TOO_LARGE,
            "data frame of "
                + length
                + " bytes on stream "
                + streamId
                + " exceeds "
                + maxDataBytes);
      }
      if (in.readableBytes() < HEADER_BYTES + length) {
        return null;
      }
      payload = in.skipBytes(HEADER_BYTES).readRetainedSlice((int) length);
    } else {
      in.skipBytes(HEADER_BYTES);
    }
    return new YamuxFrame(VERSION, type, flags, streamId, length, payload);
  }

  /**
   * The total size of the frame starting at the reader index of {@code in} (header plus body), or
   * -1 while its header is incomplete. Lets a reader size its buffer once for a large Data frame.
   */
  public static long frameBytes(ByteBuf in) {
    if (in.readableBytes() < HEADER_BYTES) {
      return -1;
    }
    int at = in.readerIndex();
    boolean data = in.getUnsignedByte(at + 1) == YamuxType.DATA.code();
    return HEADER_BYTES + (data ? in.getUnsignedInt(at + 8) : 0);
  }

  /** Encodes {@code frame} into a new buffer; releases the frame's payload. */
  public static ByteBuf encode(YamuxFrame frame, ByteBufAllocator alloc) {
    ByteBuf payload = frame.payload();
    try {
      ByteBuf out = alloc.buffer(HEADER_BYTES + payload.readableBytes());
      out.writeByte(frame.version());
      out.writeByte(frame.type().code());
      out.writeShort(frame.flags());
      out.writeInt((int) frame.streamId());
      out.writeInt((int) frame.length());
      return out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    } finally {
      payload.release();
    }
  }

  /** Writes a version-0 header; the caller appends the body of a Data frame. */
  public static void writeHeader(
      ByteBuf out, YamuxType type, int flags, long streamId, long length) {
    out.writeByte(VERSION);
    out.writeByte(type.code());
    out.writeShort(flags);
    out.writeInt((int) streamId);
    out.writeInt((int) length);
  }
}
