package org.grapevine.libp2p.noise;

import io.netty.buffer.ByteBuf;

/**
 * The libp2p Noise wire framing (noise/README.md, "Wire Format"), used for handshake and transport
 * messages alike:
 *
 * <pre>
 * +---------------------------+----------------------------------+
 * | noise_message_len (u16 BE) | noise_message (0..65535 bytes)  |
 * +---------------------------+----------------------------------+
 * </pre>
 *
 * Every length a u16 can express is legal at this level, so decoding never fails; whether a message
 * has a length its phase allows is checked by {@link NoiseHandshake} and {@link NoiseSession}.
 * Stateless.
 */
public final class NoiseFrameCodec {
  public static final int LENGTH_BYTES = 2;
  public static final int MAX_MESSAGE_BYTES = 65535;

  private NoiseFrameCodec() {}

  /** Writes {@code length || message}. A message over 65535 bytes is our bug. */
  public static void encode(byte[] message, ByteBuf out) {
    checkLength(message.length);
    out.writeShort(message.length);
    out.writeBytes(message);
  }

  /**
   * Reads the next complete frame from {@code in} and returns its body as a retained slice, which
   * the caller must release; returns null, reading nothing, while the frame is incomplete.
   */
  public static ByteBuf decode(ByteBuf in) {
    if (in.readableBytes() < LENGTH_BYTES) {
      return null;
    }
    int length = in.getUnsignedShort(in.readerIndex());
    if (in.readableBytes() < LENGTH_BYTES + length) {
      return null;
    }
    in.skipBytes(LENGTH_BYTES);
    return in.readRetainedSlice(length);
  }

  static void checkLength(int length) {
    if (length > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("a Noise message is at most 65535 bytes, got " + length);
    }
  }
}
