package org.grapevine.libp2p.encoding;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.MalformedFrameException;

/**
 * Splits a byte stream into length-delimited messages ({@code uvarint(len) || bytes}), the framing
 * of identify, pubsub and other protobuf protocols. Sans-I/O: feed it buffers, take whole messages
 * out. Never holds more than one message of at most {@code maxMessageBytes} plus one varint: a peer
 * announcing more is refused before it sends it.
 */
public final class DelimitedReader implements AutoCloseable {
  private final int maxMessageBytes;
  private final CompositeByteBuf buffer;
  private boolean closed;

  public DelimitedReader(ByteBufAllocator alloc, int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
    this.buffer = alloc.compositeBuffer();
  }

  /**
   * Adds bytes (taking ownership) and returns every whole message now available, as byte arrays.
   *
   * @throws MalformedFrameException if a length is malformed, or {@link
   *     org.grapevine.libp2p.FrameError#TOO_LARGE} if it is above the limit
   */
  public List<byte[]> feed(ByteBuf data) throws MalformedFrameException {
    buffer.addComponent(true, data);
    List<byte[]> out = new ArrayList<>(1);
    while (true) {
      int mark = buffer.readerIndex();
      long len = Varint.read(buffer, maxMessageBytes);
      if (len < 0) {
        break;
      }
      if (buffer.readableBytes() < len) {
        buffer.readerIndex(mark);
        break;
      }
      byte[] msg = new byte[(int) len];
      buffer.readBytes(msg);
      out.add(msg);
    }
    buffer.discardReadComponents();
    return out;
  }

  /** Bytes received but not yet part of a whole message. */
  public int pendingBytes() {
    return buffer.readableBytes();
  }

  /** Encodes one delimited message. */
  public static ByteBuf frame(ByteBufAllocator alloc, byte[] message) {
    ByteBuf out = alloc.buffer(Varint.size(message.length) + message.length);
    Varint.write(out, message.length);
    out.writeBytes(message);
    return out;
  }

  /** Releases what is buffered; idempotent (a stream's end and its reset may both close it). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      buffer.release();
    }
  }
}
