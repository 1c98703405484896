package org.grapevine.libp2p.kad.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound Kademlia stream: splits frames, serves the requests in order, one at a time (see
 * {@link KadInboundHandler} for the rules). Confined to the stream's event loop; the handler's
 * answer comes back there. Buffers at most one partial frame of at most the limit plus {@link
 * KadStreamConfig#maxQueuedRequests} decoded requests.
 */
final class KadInboundStream implements StreamReader {
  private static final Logger log = LoggerFactory.getLogger(KadInboundStream.class);

  private final KadInboundHandler owner;
  private final MuxedStream stream;
  private final PeerId peer;
  private final Runnable onEnded;
  private final EventExecutor loop;
  private final CompositeByteBuf buffer;
  private final ArrayDeque<KadMessage> queue = new ArrayDeque<>();
  private ScheduledFuture<?> idleTimer;
  private boolean busy; // a request is with the handler
  private boolean remoteClosed;
  private boolean done;

  /**
   * @param onEnded run once when the stream is over (closed, reset or failed), on the event loop
   */
  KadInboundStream(KadInboundHandler owner, MuxedStream stream, PeerId peer, Runnable onEnded) {
    this.owner = owner;
    this.stream = stream;
    this.peer = peer;
    this.onEnded = onEnded;
    this.loop = stream.executor();
    this.buffer = owner.alloc().compositeBuffer();
  }

  /** Arms the idle timer; called once, on the event loop. */
  void start() {
    armIdle();
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (done) {
      data.release();
      return;
    }
    buffer.addComponent(true, data);
    try {
      while (true) {
        int mark = buffer.readerIndex();
        int len = owner.codec().readLength(buffer);
        if (len < 0 || buffer.readableBytes() < len) {
          buffer.readerIndex(mark);
          break;
        }
        KadMessage request = owner.codec().decode(buffer.readSlice(len));
        if (queue.size() >= owner.config().maxQueuedRequests()) {
          fail(KadInboundCounter.FLOODED, "more than " + queue.size() + " requests queued");
          return;
        }
        queue.add(request);
      }
      buffer.discardReadComponents();
    } catch (MalformedFrameException e) {
      fail(
          e.code() == FrameError.TOO_LARGE
              ? KadInboundCounter.OVERSIZE
              : KadInboundCounter.MALFORMED,
          e.getMessage());
      return;
    }
    pump();
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    if (done) {
      return;
    }
    remoteClosed = true;
    if (buffer.isReadable()) {
      fail(KadInboundCounter.TRUNCATED, buffer.readableBytes() + " bytes of an unfinished frame");
      return;
    }
    pump();
  }

  @Override
  public void onReset(MuxedStream s) {
    finish();
  }

  /** Serves the next queued request, or closes our side once the peer's is closed and all done. */
  private void pump() {
    if (busy || done) {
      return;
    }
    KadMessage request = queue.poll();
    if (request == null) {
      if (remoteClosed) {
        stream.closeWrite();
        finish();
      } else {
        armIdle();
      }
      return;
    }
    busy = true;
    cancelIdle();
    if (owner.executor() == null) {
      onReply(handle(request));
      return;
    }
    try {
      owner
          .executor()
          .execute(
              () -> {
                KadServer.Reply reply = handle(request);
                loop.execute(() -> onReply(reply));
              });
    } catch (RejectedExecutionException e) {
      busy = false;
      fail(KadInboundCounter.OVERLOADED, "the handler's executor refused: " + e.getMessage());
    }
  }

  /** Calls the handler; null if it threw (our bug). Any thread. */
  private KadServer.Reply handle(KadMessage request) {
    try {
      return owner.handler().handle(peer, request);
    } catch (RuntimeException e) {
      log.error("Kademlia handler failed on {} from {}", request, peer, e);
      return null;
    }
  }

  private void onReply(KadServer.Reply reply) {
    busy = false;
    if (done) {
      return; // reset while the handler worked
    }
    if (reply == null) {
      fail(KadInboundCounter.HANDLER_FAILED, "the handler threw");
      return;
    }
    if (reply.refusal().isPresent()) {
      fail(KadInboundCounter.REFUSED, "refused: " + reply.refusal().get());
      return;
    }
    owner.counted(KadInboundCounter.SERVED, peer);
    if (reply.response().isPresent()) {
      ByteBuf out = owner.alloc().buffer();
      owner.codec().encodeDelimited(reply.response().get(), out);
      stream.write(out);
    }
    pump();
  }

  /** Counts {@code what}, resets the stream and lets everything go. On the event loop. */
  void fail(KadInboundCounter what, String detail) {
    if (done) {
      return;
    }
    owner.counted(what, peer);
    log.debug("Kademlia stream from {} reset ({}): {}", peer, what, detail);
    stream.reset();
    finish();
  }

  private void armIdle() {
    cancelIdle();
    idleTimer =
        loop.schedule(
            () -> {
              if (!busy && queue.isEmpty()) {
                fail(
                    KadInboundCounter.IDLE_TIMEOUT,
                    "no request for " + owner.config().idleTimeout());
              }
            },
            owner.config().idleTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private void cancelIdle() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  private void finish() {
    if (done) {
      return;
    }
    done = true;
    cancelIdle();
    queue.clear();
    buffer.release();
    onEnded.run();
  }
}
