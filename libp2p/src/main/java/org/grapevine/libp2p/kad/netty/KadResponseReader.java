package org.grapevine.libp2p.kad.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * Reads the one answer of a {@link KadClient} request: buffers at most one frame of at most the
 * limit, decodes it, checks its type, completes the future, and closes our side. Anything after the
 * answer is dropped. On the stream's event loop, except {@link #abortLater}.
 */
final class KadResponseReader implements StreamReader {
  private final MuxedStream stream;
  private final KadCodec codec;
  private final CompositeByteBuf buffer;
  private final KadMessageType expected;
  private final CompletableFuture<KadMessage> result; // null: no answer expected
  private boolean done;

  KadResponseReader(
      MuxedStream stream,
      KadCodec codec,
      ByteBufAllocator alloc,
      KadMessageType expected,
      CompletableFuture<KadMessage> result) {
    this.stream = stream;
    this.codec = codec;
    this.buffer = alloc.compositeBuffer();
    this.expected = expected;
    this.result = result;
    if (result == null) {
      finish(); // nothing to read: whatever comes is dropped
    }
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (done) {
      data.release();
      return;
    }
    buffer.addComponent(true, data);
    try {
      int mark = buffer.readerIndex();
      int len = codec.readLength(buffer);
      if (len < 0 || buffer.readableBytes() < len) {
        buffer.readerIndex(mark);
        return;
      }
      KadMessage answer = codec.decode(buffer.readSlice(len));
      if (answer.type() != expected) {
        throw new MalformedFrameException(
            FrameError.PROTOCOL_VIOLATION,
            "answered a " + expected + " request with " + answer.type());
      }
      finish();
      result.complete(answer);
      stream.closeWrite();
    } catch (MalformedFrameException e) {
      fail(e);
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    if (!done) {
      fail(
          new MalformedFrameException(
              FrameError.TRUNCATED, "the peer closed the stream without a whole answer"));
    }
  }

  @Override
  public void onReset(MuxedStream s) {
    if (!done) {
      finish();
      result.completeExceptionally(
          new MalformedFrameException(FrameError.RESET, "the peer reset the stream"));
    }
  }

  /** The request ended some other way (timeout): reset the stream, from any thread. */
  void abortLater() {
    stream
        .executor()
        .execute(
            () -> {
              if (!done) {
                finish();
                stream.reset();
              }
            });
  }

  private void fail(MalformedFrameException e) {
    finish();
    result.completeExceptionally(e);
    stream.reset();
  }

  private void finish() {
    if (!done) {
      done = true;
      buffer.release();
    }
  }
}
