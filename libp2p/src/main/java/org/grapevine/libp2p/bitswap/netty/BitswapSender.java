package org.grapevine.libp2p.bitswap.netty;

import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Our stream to one peer, on which every message of ours goes (the spec: the client wants on its
 * stream, the server answers on a stream of its own). Opened when the first message waits, kept
 * while messages flow, half-closed after {@link BitswapService#OUTBOUND_IDLE_NANOS} without any
 * (Helia resets a stream it has read nothing on for 10 s; a stream closed by us first loses
 * nothing). A reset stream is replaced by a new one with the next message.
 *
 * <p>A message is "sent" once the muxer has handed it on ({@link MuxedStream#isWritable} after the
 * write, else at {@code onWritable}): only then are its block bytes reported to the core ({@code
 * handleSent}), so the core's bytes-in-flight cap bounds what a slow peer holds in our queues. The
 * bytes written and not yet sent are capped at {@link BitswapService#maxBacklogBytes}; a message
 * beyond is dropped and counted.
 *
 * <p>Confined to the service's loop; the stream's callbacks hop onto it.
 */
// Terminal whenComplete callbacks handle both outcomes themselves.
@SuppressWarnings("FutureReturnValueIgnored")
final class BitswapSender {
  /** One framed message and the block bytes the core charged for it (never compared). */
  @SuppressWarnings("ArrayRecordComponent")
  private record Frame(long seq, byte[] bytes, long charged) {}

  /** One outbound stream; {@link #executedSeq} lives on the stream's loop. */
  private static final class Open {
    final MuxedStream stream;
    BitswapFrameReader reader;

    /** The last frame whose write ran on the stream's loop; read and written there only. */
    long executedSeq = -1;

    Open(MuxedStream stream) {
      this.stream = stream;
    }
  }

  private final BitswapService owner;
  private final PeerId peer;

  /** Frames waiting for the stream to open. */
  private final ArrayDeque<Frame> queued = new ArrayDeque<>();

  /** Frames written and not yet handed on by the muxer. */
  private final ArrayDeque<Frame> unconfirmed = new ArrayDeque<>();

  private long backlogBytes;
  private long nextSeq;
  private boolean opening;
  private Open open;
  private ScheduledFuture<?> idleTimer;
  private boolean closed;

  BitswapSender(BitswapService owner, PeerId peer) {
    this.owner = owner;
    this.peer = peer;
  }

  /** Queues one framed message; {@code charged} block bytes are reported once it is sent. */
  void send(byte[] frame, long charged) {
    if (closed || backlogBytes + frame.length > owner.maxBacklogBytes()) {
      owner.counted(BitswapStreamCounter.MESSAGES_DROPPED);
      owner.released(peer, charged);
      return;
    }
    Frame f = new Frame(nextSeq++, frame, charged);
    backlogBytes += frame.length;
    cancelIdle();
    if (open != null) {
      write(open, f);
      return;
    }
    queued.add(f);
    if (!opening) {
      openStream();
    }
  }

  /** Abandons the stream and whatever waits (peer gone, service closed). */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    cancelIdle();
    if (open != null) {
      Open o = open;
      open = null;
      if (o.reader != null) {
        o.reader.abortLater();
      }
    }
    releaseAll(queued, BitswapStreamCounter.MESSAGES_DROPPED);
    releaseAll(unconfirmed, BitswapStreamCounter.MESSAGES_UNCONFIRMED);
  }

  private void openStream() {
    Connection c = owner.connectionTo(peer);
    if (c == null) {
      openFailed("not connected");
      return;
    }
    opening = true;
    owner
        .host()
        .newStream(c, BitswapService.OUTBOUND_PROTOCOLS)
        .whenComplete((ns, error) -> owner.onLoop(() -> opened(ns, error), () -> resetIfAny(ns)));
  }

  private static void resetIfAny(NegotiatedStream ns) {
    if (ns != null) {
      ns.stream().reset();
    }
  }

  private void opened(NegotiatedStream ns, Throwable error) {
    opening = false;
    if (closed) {
      resetIfAny(ns);
      return;
    }
    if (error != null) {
      openFailed(error.getMessage());
      return;
    }
    owner.counted(BitswapStreamCounter.OUTBOUND_STREAMS);
    Open o = new Open(ns.stream());
    o.reader =
        new BitswapFrameReader(
            owner,
            ns.stream(),
            peer,
            true,
            new BitswapFrameReader.Hooks() {
              @Override
              public void ended() {
                owner.onLoop(() -> streamEnded(o), () -> {});
              }

              @Override
              public void writable() {
                long seq = o.executedSeq;
                owner.onLoop(() -> confirmed(o, seq), () -> {});
              }
            });
    ns.stream().setReader(o.reader);
    open = o;
    while (!queued.isEmpty()) {
      write(o, queued.poll());
    }
  }

  private void openFailed(String why) {
    owner.counted(BitswapStreamCounter.OUTBOUND_OPEN_FAILED);
    releaseAll(queued, BitswapStreamCounter.MESSAGES_DROPPED);
    // Without a stream the peer cannot hear our wants nor get our answers: for the core, as if it
    // disconnected (wants move on to other peers now rather than at the answer timeout).
    owner.unreachable(peer, why);
  }

  private void write(Open o, Frame f) {
    unconfirmed.add(f);
    try {
      o.stream
          .executor()
          .execute(
              () -> {
                o.stream.write(Unpooled.wrappedBuffer(f.bytes()));
                o.executedSeq = f.seq();
                if (o.stream.isWritable()) {
                  owner.onLoop(() -> confirmed(o, f.seq()), () -> {});
                }
              });
    } catch (RejectedExecutionException e) {
      streamEnded(o); // the connection's loop is gone, and the stream with it
    }
  }

  /** The muxer handed on every frame up to {@code seq} of stream {@code o}. */
  private void confirmed(Open o, long seq) {
    if (o != open) {
      return; // ended meanwhile: its frames were released then
    }
    long charged = 0;
    int n = 0;
    while (!unconfirmed.isEmpty() && unconfirmed.peek().seq() <= seq) {
      Frame f = unconfirmed.poll();
      backlogBytes -= f.bytes().length;
      charged += f.charged();
      n++;
    }
    if (n == 0) {
      return;
    }
    owner.counted(BitswapStreamCounter.MESSAGES_SENT, n);
    owner.released(peer, charged);
    if (unconfirmed.isEmpty() && queued.isEmpty()) {
      armIdle(o);
    }
  }

  private void streamEnded(Open o) {
    if (o != open) {
      return;
    }
    open = null;
    cancelIdle();
    releaseAll(unconfirmed, BitswapStreamCounter.MESSAGES_UNCONFIRMED);
  }

  private void releaseAll(ArrayDeque<Frame> frames, BitswapStreamCounter counter) {
    long charged = 0;
    int n = 0;
    for (Frame f; (f = frames.poll()) != null; ) {
      backlogBytes -= f.bytes().length;
      charged += f.charged();
      n++;
    }
    if (n > 0) {
      owner.counted(counter, n);
      owner.released(peer, charged);
    }
  }

  private void armIdle(Open o) {
    cancelIdle();
    idleTimer =
        owner
            .loop()
            .schedule(
                () -> {
                  if (o == open && unconfirmed.isEmpty() && queued.isEmpty()) {
                    open = null;
                    o.stream.closeWrite(); // our side is done; the reader sees the peer's end
                  }
                },
                BitswapService.OUTBOUND_IDLE_NANOS,
                TimeUnit.NANOSECONDS);
  }

  private void cancelIdle() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }
}
