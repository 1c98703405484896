package org.grapevine.libp2p.identify;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The identify protocols on negotiated streams: {@code /ipfs/id/1.0.0} (the responder writes one
 * delimited message and closes its side) and {@code /ipfs/id/push/1.0.0} (the pusher writes one and
 * closes). Timeouts are the caller's (the host applies them).
 */
public final class IdentifyProtocol {
  public static final String ID = "/ipfs/id/1.0.0";
  public static final String PUSH_ID = "/ipfs/id/push/1.0.0";
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";

  private IdentifyProtocol() {}

  /** Answers a request: our message, then half-close. Whatever the requester sends is dropped. */
  public static void respond(
      MuxedStream stream, IdentifyInfo info, byte[] observedAddr, ByteBufAllocator alloc) {
    stream.setReader(new Discard());
    stream.write(DelimitedReader.frame(alloc, IdentifyCodec.encode(info, observedAddr)));
    stream.closeWrite();
  }

  /** Pushes our message on a stream opened for {@link #PUSH_ID}. */
  public static void push(
      MuxedStream stream, IdentifyInfo info, byte[] observedAddr, ByteBufAllocator alloc) {
    respond(stream, info, observedAddr, alloc);
  }

  /**
   * Reads the peer's message from a request (or an inbound push) stream and checks it.
   *
   * @param expected the connection's authenticated peer
   */
  public static CompletableFuture<IdentifyResult> read(
      MuxedStream stream, PeerId expected, PeerId self, ByteBufAllocator alloc) {
    CompletableFuture<IdentifyResult> result = new CompletableFuture<>();
    stream.setReader(
        new OneMessage(
            alloc,
            bytes -> {
              try {
                result.complete(IdentifyCodec.decode(bytes, expected, self));
              } catch (MalformedFrameException e) {
                result.completeExceptionally(e);
              }
            },
            result));
    return result;
  }

  /** Reads exactly one delimited message, then expects the peer to close. */
  private static final class OneMessage implements StreamReader {
    private final DelimitedReader reader;
    private final Consumer<byte[]> onMessage;
    private final CompletableFuture<?> result;

    OneMessage(ByteBufAllocator alloc, Consumer<byte[]> onMessage, CompletableFuture<?> result) {
      this.reader = new DelimitedReader(alloc, IdentifyCodec.MAX_MESSAGE_BYTES);
      this.onMessage = onMessage;
      this.result = result;
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      if (result.isDone()) {
        data.release();
        return;
      }
      try {
        List<byte[]> messages = reader.feed(data);
        if (!messages.isEmpty()) {
          onMessage.accept(messages.get(0));
          reader.close();
          stream.closeWrite();
        }
      } catch (MalformedFrameException e) {
        reader.close();
        result.completeExceptionally(e);
        stream.reset();
      }
    }

    @Override
    public void onRemoteClosed(MuxedStream stream) {
      if (!result.isDone()) {
        reader.close();
        result.completeExceptionally(
            new MalformedFrameException(
                FrameError.TRUNCATED, "peer closed the identify stream before a whole message"));
        stream.reset();
      }
    }

    @Override
    public void onReset(MuxedStream stream) {
      if (!result.isDone()) {
        reader.close();
        result.completeExceptionally(
            new MalformedFrameException(FrameError.RESET, "identify stream reset"));
      }
    }
  }

  /** Drops inbound bytes. */
  static final class Discard implements StreamReader {
    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      data.release();
    }

    @Override
    public void onRemoteClosed(MuxedStream stream) {}

    @Override
    public void onReset(MuxedStream stream) {}
  }
}
