package org.grapevine.libp2p.bitswap.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.bitswap.BitswapError;
import org.grapevine.libp2p.bitswap.BitswapException;
import org.grapevine.libp2p.bitswap.BitswapMessage;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Reads one Bitswap stream, inbound or our own outbound: splits {@code uvarint(len) || Message}
 * frames (a length over the limit is refused before its body is buffered), decodes each with the
 * service's codec and hands it to the core's loop. While a message waits there the stream's reading
 * is paused, so a fast peer fills its Yamux window, not our memory: at most one partial frame and
 * one chunk of decoded messages per stream.
 *
 * <p>A frame over the limit or a body that does not decode: reported to the core (the peer's
 * fault), counted, the stream reset. Confined to the stream's event loop.
 */
final class BitswapFrameReader implements StreamReader {
  /** What the owner of the stream hears besides the messages. */
  interface Hooks {
    /** The stream is over (reset, failed, or both sides closed); once. On the stream's loop. */
    void ended();

    /** Queued writes went out (see {@link StreamReader#onWritable}). On the stream's loop. */
    default void writable() {}

    /** The peer half-closed. On the stream's loop. */
    default void remoteClosed() {}
  }

  private final BitswapService owner;
  private final MuxedStream stream;
  private final PeerId peer;
  private final boolean ours;
  private final Hooks hooks;
  private final CompositeByteBuf buffer;

  /** Messages handed to the core and not yet handled there. */
  private int pending;

  /** Armed while a partial frame waits for its rest. */
  private ScheduledFuture<?> frameTimer;

  private boolean done;

  /** The peer closed its side: no more data, the buffer is gone. */
  private boolean readClosed;

  BitswapFrameReader(
      BitswapService owner, MuxedStream stream, PeerId peer, boolean ours, Hooks hooks) {
    this.owner = owner;
    this.stream = stream;
    this.peer = peer;
    this.ours = ours;
    this.hooks = hooks;
    this.buffer = owner.alloc().compositeBuffer();
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (done || readClosed) {
      data.release();
      return;
    }
    buffer.addComponent(true, data);
    try {
      while (true) {
        int mark = buffer.readerIndex();
        long len = Varint.read(buffer, owner.limits().maxMessageBytes());
        if (len < 0 || buffer.readableBytes() < len) {
          buffer.readerIndex(mark);
          break;
        }
        byte[] body = new byte[(int) len];
        buffer.readBytes(body);
        BitswapMessage message = owner.codec().decode(body);
        pending++;
        owner.counted(BitswapStreamCounter.MESSAGES_RECEIVED);
        if (ours) {
          owner.counted(BitswapStreamCounter.MESSAGES_ON_OUR_STREAM);
        }
        owner.received(peer, message, this::handled);
      }
      buffer.discardReadComponents();
    } catch (MalformedFrameException e) {
      BitswapError code =
          e.code() == FrameError.TOO_LARGE ? BitswapError.TOO_LARGE : BitswapError.MALFORMED;
      fail(new BitswapException(code, "frame from " + peer + ": " + e.getMessage(), e));
      return;
    } catch (BitswapException e) {
      fail(e);
      return;
    }
    if (pending > 0) {
      stream.pauseReading();
    }
    if (!buffer.isReadable()) {
      cancelFrameTimer();
    } else if (frameTimer == null) {
      armFrameTimer();
    }
  }

  /**
   * A frame must arrive whole within {@link BitswapService#frameTimeoutNanos} of its first byte
   * (time we keep the stream paused does not count): a peer that trickles bytes cannot keep a
   * partial frame of up to 4 MiB in our memory for long.
   */
  private void armFrameTimer() {
    frameTimer =
        stream
            .executor()
            .schedule(
                () -> {
                  frameTimer = null;
                  if (done || readClosed || !buffer.isReadable()) {
                    return;
                  }
                  if (pending > 0) {
                    armFrameTimer(); // paused by us: not the peer's delay
                    return;
                  }
                  owner.counted(BitswapStreamCounter.FRAMES_TIMED_OUT);
                  stream.reset();
                  finish();
                },
                owner.frameTimeoutNanos(),
                TimeUnit.NANOSECONDS);
  }

  private void cancelFrameTimer() {
    if (frameTimer != null) {
      frameTimer.cancel(false);
      frameTimer = null;
    }
  }

  /** The core handled one of our messages; from any thread. */
  private void handled() {
    try {
      stream
          .executor()
          .execute(
              () -> {
                pending--;
                if (pending == 0 && !done) {
                  stream.resumeReading();
                }
              });
    } catch (RejectedExecutionException e) {
      // The connection's loop is gone, and the stream with it: nothing to resume.
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    if (done || readClosed) {
      return;
    }
    if (buffer.isReadable()) {
      owner.counted(BitswapStreamCounter.TRUNCATED_FRAMES);
    }
    readClosed = true;
    buffer.release();
    cancelFrameTimer();
    hooks.remoteClosed();
    if (!ours) {
      // We never write on the peer's stream (replies go on ours): both sides are done.
      stream.closeWrite();
      finish();
    }
  }

  @Override
  public void onReset(MuxedStream s) {
    finish();
  }

  @Override
  public void onWritable(MuxedStream s) {
    if (!done) {
      hooks.writable();
    }
  }

  /** Abandons the stream from the owner's side (service closed): on any thread. */
  void abortLater() {
    try {
      stream
          .executor()
          .execute(
              () -> {
                if (!done) {
                  stream.reset();
                  finish();
                }
              });
    } catch (RejectedExecutionException e) {
      // The connection's loop is gone: the stream went with it.
    }
  }

  private void fail(BitswapException e) {
    owner.counted(BitswapStreamCounter.MALFORMED_FRAMES);
    owner.malformed(peer, e);
    stream.reset();
    finish();
  }

  private void finish() {
    if (done) {
      return;
    }
    done = true;
    cancelFrameTimer();
    if (!readClosed) {
      readClosed = true;
      buffer.release();
    }
    hooks.ended();
  }
}
