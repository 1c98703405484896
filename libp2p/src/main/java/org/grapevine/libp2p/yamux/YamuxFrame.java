package org.grapevine.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One yamux frame. Stream id and length are unsigned 32-bit values held in longs.
 *
 * <p>For {@link YamuxType#DATA}, {@code payload} holds exactly {@code length} bytes and whoever
 * holds the frame owns it (must release it or pass it on). For the other types {@code length} is a
 * window delta, ping value or error code, and {@code payload} is the empty buffer.
 */
public record YamuxFrame(
    int version, YamuxType type, int flags, long streamId, long length, ByteBuf payload) {
  public static final long MAX_U32 = 0xFFFF_FFFFL;

  public YamuxFrame {
    if (version < 0 || version > 0xFF) {
      throw new IllegalArgumentException("version out of range: " + version);
    }
    if (flags < 0 || flags > 0xFFFF) {
      throw new IllegalArgumentException("flags out of range: " + flags);
    }
    if (streamId < 0 || streamId > MAX_U32 || length < 0 || length > MAX_U32) {
      throw new IllegalArgumentException("stream id or length out of u32 range");
    }
    if (type == YamuxType.DATA ? payload.readableBytes() != length : payload.isReadable()) {
      throw new IllegalArgumentException("payload does not match " + type + " length " + length);
    }
  }

  /** A Data frame; takes ownership of {@code payload}. */
  public static YamuxFrame data(long streamId, int flags, ByteBuf payload) {
    return new YamuxFrame(
        YamuxFrameCodec.VERSION, YamuxType.DATA, flags, streamId, payload.readableBytes(), payload);
  }

  public static YamuxFrame windowUpdate(long streamId, int flags, long delta) {
    return control(YamuxType.WINDOW_UPDATE, flags, streamId, delta);
  }

  public static YamuxFrame ping(int flags, long value) {
    return control(YamuxType.PING, flags, 0, value);
  }

  public static YamuxFrame goAway(YamuxErrorCode code) {
    return control(YamuxType.GO_AWAY, 0, 0, code.code());
  }

  private static YamuxFrame control(YamuxType type, int flags, long streamId, long length) {
    return new YamuxFrame(
        YamuxFrameCodec.VERSION, type, flags, streamId, length, Unpooled.EMPTY_BUFFER);
  }

  public boolean hasFlag(int flag) {
    return YamuxFlags.has(flags, flag);
  }
}
