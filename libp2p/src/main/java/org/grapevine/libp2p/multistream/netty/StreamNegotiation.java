package org.grapevine.libp2p.multistream.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.grapevine.libp2p.multistream.MultistreamConfig;
import org.grapevine.libp2p.multistream.MultistreamErrorCode;
import org.grapevine.libp2p.multistream.MultistreamException;
import org.grapevine.libp2p.multistream.MultistreamNegotiator;
import org.grapevine.libp2p.multistream.NegotiationEvent;
import org.grapevine.libp2p.multistream.NegotiationEvent.Failed;
import org.grapevine.libp2p.multistream.NegotiationEvent.Selected;
import org.grapevine.libp2p.multistream.NegotiationEvent.Send;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * multistream-select on one {@link MuxedStream}: the negotiation every new Yamux stream starts with
 * (e.g. {@code /ipfs/id/1.0.0}, {@code /meshsub/1.2.0}). It is the stream's reader until a protocol
 * is chosen, then hands the stream over. On failure or timeout it resets the stream.
 *
 * <p>Threading: everything runs on {@link MuxedStream#executor()}; the static methods may be called
 * from any thread and hop onto it.
 */
public final class StreamNegotiation implements StreamReader {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(StreamNegotiation.class);

  /** Takes over a stream once its protocol is chosen. */
  @FunctionalInterface
  public interface ProtocolHandler {
    /**
     * Called on the stream's executor after the echo was queued; sets its own reader on the stream.
     * {@code leftover} (possibly empty) holds the protocol's first bytes; the handler owns it.
     */
    void handle(MuxedStream stream, String protocol, ByteBuf leftover);
  }

  private final MuxedStream stream;
  private final MultistreamNegotiator negotiator;
  private final Function<String, ProtocolHandler> handlers;
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private ByteBuf cumulation;
  private ScheduledFuture<?> timer;

  private StreamNegotiation(
      MuxedStream stream,
      MultistreamNegotiator negotiator,
      Function<String, ProtocolHandler> handlers) {
    this.stream = stream;
    this.negotiator = negotiator;
    this.handlers = handlers;
  }

  /**
   * Proposes {@code proposals} in order on an outbound stream. Once one is accepted, {@code
   * handler} takes the stream (and any bytes after the echo), and then the future completes with
   * the protocol. On failure the stream is reset and the future fails with a {@link
   * MultistreamException}.
   */
  public static CompletableFuture<String> initiate(
      MuxedStream stream, List<String> proposals, ProtocolHandler handler, Duration timeout) {
    Objects.requireNonNull(handler);
    return begin(
        new StreamNegotiation(stream, MultistreamNegotiator.initiator(proposals), p -> handler),
        timeout);
  }

  /**
   * Answers the peer's proposals on an inbound stream: a protocol in {@code handlers} is echoed and
   * its handler takes the stream; others get {@code na}. The future completes with the chosen
   * protocol, or fails (stream reset) with a {@link MultistreamException}.
   */
  public static CompletableFuture<String> respond(
      MuxedStream stream, Map<String, ProtocolHandler> handlers, Duration timeout) {
    Map<String, ProtocolHandler> copy = Map.copyOf(handlers);
    MultistreamNegotiator negotiator =
        MultistreamNegotiator.responder(
            List.copyOf(new TreeSet<>(copy.keySet())), MultistreamConfig.DEFAULT);
    return begin(new StreamNegotiation(stream, negotiator, copy::get), timeout);
  }

  private static CompletableFuture<String> begin(StreamNegotiation negotiation, Duration timeout) {
    if (negotiation.stream.executor().inEventLoop()) {
      negotiation.start(timeout);
    } else {
      negotiation.stream.executor().execute(() -> negotiation.start(timeout));
    }
    return negotiation.result;
  }

  private void start(Duration timeout) {
    ByteBuf first = negotiator.start(ByteBufAllocator.DEFAULT, now(), timeout);
    if (first.isReadable()) {
      stream.write(first);
    } else {
      first.release();
    }
    stream.setReader(this);
    armTimer();
  }

  /** The deadline is the negotiator's; this only sets a timer for it. */
  private void armTimer() {
    negotiator
        .pollTimeout()
        .ifPresent(
            deadline ->
                timer =
                    stream
                        .executor()
                        .schedule(this::onTimer, deadline - now(), TimeUnit.NANOSECONDS));
  }

  private void onTimer() {
    timer = null;
    if (result.isDone()) {
      return;
    }
    negotiator
        .handleTimeout(now())
        .ifPresentOrElse(failed -> fail(failed.code(), failed.detail()), this::armTimer);
  }

  private long now() {
    return MultistreamHandler.now(stream.executor());
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (result.isDone()) {
      data.release();
      return;
    }
    cumulation = cumulate(cumulation, data);
    while (!result.isDone()) {
      NegotiationEvent event = negotiator.receive(cumulation, now());
      if (event instanceof Send send) {
        stream.write(send.data());
      } else if (event instanceof Selected selected) {
        onSelected(selected);
      } else if (event instanceof Failed failed) {
        fail(failed.code(), failed.detail());
      } else {
        break;
      }
    }
  }

  private void onSelected(Selected selected) {
    releaseState();
    ProtocolHandler handler = handlers.apply(selected.protocol());
    try {
      handler.handle(stream, selected.protocol(), selected.leftover());
    } catch (RuntimeException e) {
      log.warn("stream {}: handler for {} failed", stream.id(), selected.protocol(), e);
      fail(MultistreamErrorCode.CLOSED, "handler for " + selected.protocol() + " failed: " + e);
      return;
    }
    result.complete(selected.protocol());
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    fail(MultistreamErrorCode.CLOSED, "peer closed the stream during negotiation");
  }

  @Override
  public void onReset(MuxedStream s) {
    if (!result.isDone()) {
      releaseState();
      result.completeExceptionally(
          new MultistreamException(MultistreamErrorCode.CLOSED, "stream reset during negotiation"));
    }
  }

  private void fail(MultistreamErrorCode code, String detail) {
    if (result.isDone()) {
      return;
    }
    releaseState();
    log.debug("stream {}: multistream negotiation failed: {} {}", stream.id(), code, detail);
    result.completeExceptionally(new MultistreamException(code, detail));
    stream.reset();
  }

  private void releaseState() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  /**
   * Appends {@code data} (which this takes over) to what is buffered; messages are tiny, so copying
   * is fine.
   */
  private static ByteBuf cumulate(ByteBuf buffered, ByteBuf data) {
    if (buffered == null) {
      return data;
    }
    try {
      ByteBuf merged = data.alloc().buffer(buffered.readableBytes() + data.readableBytes());
      merged.writeBytes(buffered).writeBytes(data);
      return merged;
    } finally {
      buffered.release();
      data.release();
    }
  }
}
