package org.grapevine.libp2p.dcutr.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.dcutr.DcutrOutcome;
import org.grapevine.libp2p.dcutr.DcutrOutput;
import org.grapevine.libp2p.dcutr.DcutrSession;
import org.grapevine.libp2p.dcutr.HolePunchCodec;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * Runs one {@link DcutrSession} on one {@code /libp2p/dcutr} stream: the stream's bytes in, the
 * session's messages out, its dials through {@link Host#dialHolePunch} (every address of the peer
 * at once, from our listening port; the first connection wins), its timer on the stream's event
 * loop, which owns the session. Any direct connection to the peer that comes up meanwhile (ours, or
 * the peer's dial reaching our listener) ends the session as a success ({@link
 * DcutrSession#handleDirectConnection}). A malformed or oversize message ends the session as the
 * peer's fault and resets the stream; a finished session closes our side.
 */
// Terminal callbacks handle both outcomes of the futures they are given.
@SuppressWarnings("FutureReturnValueIgnored")
final class DcutrStream implements StreamReader {
  private final Host host;
  private final Connection relayed;
  private final MuxedStream stream;
  private final DcutrSession session;
  private final DelimitedReader reader;
  private final ByteBufAllocator alloc;
  private final CompletableFuture<DcutrResult> result = new CompletableFuture<>();
  private ScheduledFuture<?> timer;
  private long timerAt = Long.MAX_VALUE;
  private Connection direct;

  /** Watches the host for a direct connection to the peer while the session runs. */
  private final HostListener directWatch =
      new HostListener() {
        @Override
        public void onConnected(Connection c) {
          if (!c.isRelayed() && c.remotePeer().equals(relayed.remotePeer())) {
            stream.executor().execute(() -> onDirect(c));
          }
        }
      };

  DcutrStream(
      Host host,
      Connection relayed,
      MuxedStream stream,
      DcutrSession session,
      ByteBufAllocator alloc) {
    this.host = host;
    this.relayed = relayed;
    this.stream = stream;
    this.session = session;
    this.alloc = alloc;
    this.reader = new DelimitedReader(alloc, HolePunchCodec.MAX_MESSAGE_BYTES);
  }

  /** Starts reading and sends what the session has ready; on the stream's event loop. */
  CompletableFuture<DcutrResult> start() {
    stream
        .executor()
        .execute(
            () -> {
              host.addListener(directWatch);
              stream.setReader(this);
              drain();
            });
    return result;
  }

  private void onDirect(Connection c) {
    if (direct != null || result.isDone()) {
      return;
    }
    direct = c;
    session.handleDirectConnection(System.nanoTime());
    drain();
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    List<byte[]> messages;
    try {
      messages = reader.feed(data);
    } catch (MalformedFrameException e) {
      end(DcutrOutcome.PROTOCOL_VIOLATION, e.getMessage(), true);
      return;
    }
    for (byte[] m : messages) {
      try {
        session.handleMessage(HolePunchCodec.decode(m), System.nanoTime());
      } catch (MalformedFrameException e) {
        end(DcutrOutcome.PROTOCOL_VIOLATION, e.getMessage(), true);
        return;
      }
      drain();
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    session.handleClosed(System.nanoTime());
    drain();
  }

  @Override
  public void onReset(MuxedStream s) {
    session.handleClosed(System.nanoTime());
    drain();
    reader.close();
  }

  private void drain() {
    for (DcutrOutput o = session.poll().orElse(null); o != null; o = session.poll().orElse(null)) {
      if (o instanceof DcutrOutput.Send send) {
        stream.write(DelimitedReader.frame(alloc, HolePunchCodec.encode(send.message())));
      } else if (o instanceof DcutrOutput.Dial dial) {
        dialAll(dial.addrs(), dial.securityInitiator());
      } else if (o instanceof DcutrOutput.Done done) {
        end(done.outcome(), done.detail(), done.outcome().peerAtFault());
        return;
      }
    }
    armTimer();
  }

  private void dialAll(List<Multiaddr> addrs, boolean initiator) {
    AtomicInteger left = new AtomicInteger(addrs.size());
    for (Multiaddr a : addrs) {
      host.dialHolePunch(a.withPeerId(relayed.remotePeer()), initiator)
          .whenCompleteAsync(
              (c, e) -> {
                if (e == null && direct == null) {
                  direct = c;
                  session.handleDialResult(true, System.nanoTime());
                  drain();
                } else if (e != null) {
                  if (left.decrementAndGet() == 0 && direct == null) {
                    session.handleDialResult(false, System.nanoTime());
                    drain();
                  }
                }
              },
              stream.executor());
    }
  }

  private void armTimer() {
    long at = session.pollTimeout().orElse(Long.MAX_VALUE);
    if (at == timerAt) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerAt = at;
    if (at == Long.MAX_VALUE) {
      return;
    }
    timer =
        stream
            .executor()
            .schedule(
                () -> {
                  timerAt = Long.MAX_VALUE;
                  session.handleTimeout(System.nanoTime());
                  drain();
                },
                Math.max(0, at - System.nanoTime()),
                TimeUnit.NANOSECONDS);
  }

  private void end(DcutrOutcome outcome, String detail, boolean reset) {
    if (result.isDone()) {
      return;
    }
    host.removeListener(directWatch);
    if (timer != null) {
      timer.cancel(false);
    }
    if (reset) {
      stream.reset();
    } else {
      stream.closeWrite();
    }
    reader.close();
    result.complete(
        new DcutrResult(
            outcome,
            detail,
            outcome == DcutrOutcome.DIRECT ? Optional.ofNullable(direct) : Optional.empty(),
            session.attempts(),
            session.lastRttNanos(),
            session.peerOfferedAddrs()));
  }
}
