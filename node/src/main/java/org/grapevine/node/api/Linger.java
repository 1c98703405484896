package org.grapevine.node.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * How a connection whose request was refused before its body was read ends. Closing with the
 * client's bytes unread makes TCP send a reset, and a client still sending its body (the CLI and
 * browsers send the whole body before they read) then loses the answer: it sees a reset instead of
 * "too large". So the answer is written, the output half-closed, and what still comes of the body
 * read and dropped until it ends, {@link #MAX_BYTES} or {@link #MILLIS}; then the connection
 * closes. One per connection, used by one handler on its event loop.
 */
final class Linger {
  static final long MAX_BYTES = 64L << 20;
  static final long MILLIS = 10_000;

  private boolean on;
  private long dropped;

  /** Whether the refused request's body is being dropped ({@link #drop}). */
  boolean on() {
    return on;
  }

  /**
   * Starts lingering: the listener for the answer's write half-closes the connection once it is
   * written, and closes it at the latest {@link #MILLIS} later.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // closing needs no follow-up
  ChannelFutureListener start(ChannelHandlerContext ctx) {
    on = true;
    dropped = 0;
    return written -> {
      Channel ch = written.channel();
      if (!written.isSuccess() || !(ch instanceof DuplexChannel duplex)) {
        ch.close();
        return;
      }
      duplex.shutdownOutput();
      ctx.executor().schedule(() -> ch.close(), MILLIS, TimeUnit.MILLISECONDS);
    };
  }

  /** Drops {@code msg}, a part of the refused body; closes when the body ended or ran too long. */
  @SuppressWarnings("FutureReturnValueIgnored")
  void drop(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent c) {
      dropped += c.content().readableBytes();
    }
    boolean ended = msg instanceof LastHttpContent || dropped > MAX_BYTES;
    ReferenceCountUtil.release(msg);
    if (ended) {
      ctx.close();
    }
  }
}
