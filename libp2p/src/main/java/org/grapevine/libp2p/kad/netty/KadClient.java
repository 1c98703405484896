package org.grapevine.libp2p.kad.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.DialException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * Sends one Kademlia request and reads its answer: the wire half of {@code Dht.pollRequest}. Feed
 * the future's outcome back as {@code handleResponse} / {@code handleFailure}.
 *
 * <p>Per request: an open connection to the peer, else its addresses dialled one after another (TCP
 * ones, each with the peer's {@code /p2p} so that the peer must prove its identity); a new stream
 * for {@link KadStreamConfig#protocol}; the request written; exactly one answer read (at most the
 * frame limit), which must have the request's type; then our side closed. Without an answer
 * expected (ADD_PROVIDER: go and js write none) the future completes with null once the request is
 * handed to the muxer, and our side is closed at once.
 *
 * <p>Failures, all as the future's exception, never thrown:
 *
 * <ul>
 *   <li>{@link DialException}: no address, every dial failed, or the peer refused the protocol;
 *   <li>{@link org.grapevine.libp2p.MalformedFrameException}: the answer was oversize ({@code
 *       TOO_LARGE}), did not decode, had another type ({@code PROTOCOL_VIOLATION}), or the peer
 *       closed ({@code TRUNCATED}) or reset ({@code RESET}) the stream first: the peer's fault;
 *   <li>{@link TimeoutException}: no answer within {@code timeout} (dial included); the stream is
 *       reset.
 * </ul>
 *
 * <p>Driving the DHT core (on the node's loop, which owns it):
 *
 * <pre>{@code
 * for (DhtRequest r; (r = dht.pollRequest().orElse(null)) != null; ) {
 *   long id = r.id();
 *   client.request(host, r.to(), r.message(), r.expectsResponse(), timeout)
 *       .whenCompleteAsync((answer, error) -> {
 *         if (error == null) dht.handleResponse(id, answer, System.nanoTime());
 *         else dht.handleFailure(id, error.getMessage(), System.nanoTime()); // then drain again
 *       }, nodeLoop);
 * }
 * }</pre>
 *
 * <p>One stream per request: go and js servers accept reused streams, but a fresh stream keeps a
 * slow answer from holding up the next request, and Yamux streams are cheap. Thread-safe.
 */
// Terminal whenComplete callbacks handle both outcomes themselves.
@SuppressWarnings("FutureReturnValueIgnored")
public final class KadClient {
  private final KadStreamConfig config;
  private final KadCodec codec;
  private final ByteBufAllocator alloc;

  public KadClient(KadStreamConfig config, ByteBufAllocator alloc) {
    this.config = Objects.requireNonNull(config, "config");
    this.codec = new KadCodec(config.maxMessageBytes());
    this.alloc = Objects.requireNonNull(alloc, "alloc");
  }

  /**
   * Sends {@code request} to {@code to} and completes with its answer (null when {@code
   * expectsResponse} is false).
   */
  public CompletableFuture<KadMessage> request(
      Host host, KadPeer to, KadMessage request, boolean expectsResponse, Duration timeout) {
    CompletableFuture<KadMessage> result = new CompletableFuture<>();
    AtomicReference<KadResponseReader> reader = new AtomicReference<>();
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(
            () ->
                result.completeExceptionally(
                    new TimeoutException(
                        "no answer from "
                            + to.id()
                            + " to "
                            + request.type()
                            + " within "
                            + timeout)));
    connection(host, to)
        .thenCompose(c -> host.newStream(c, List.of(config.protocol())))
        .whenComplete(
            (ns, error) -> {
              if (error != null) {
                result.completeExceptionally(unwrap(error));
              } else {
                start(ns, request, expectsResponse, result, reader);
              }
            });
    // Whatever ends the request (timeout included), the stream goes, on its own loop.
    result.whenComplete(
        (m, e) -> {
          KadResponseReader r = reader.get();
          if (r != null && e != null) {
            r.abortLater();
          }
        });
    return result;
  }

  /** On the stream's event loop (the negotiation completes there). */
  private void start(
      NegotiatedStream ns,
      KadMessage request,
      boolean expectsResponse,
      CompletableFuture<KadMessage> result,
      AtomicReference<KadResponseReader> readerRef) {
    KadResponseReader reader =
        new KadResponseReader(
            ns.stream(), codec, alloc, request.type(), expectsResponse ? result : null);
    ns.stream().setReader(reader);
    readerRef.set(reader);
    if (result.isDone()) { // timed out while dialling
      reader.abortLater();
      return;
    }
    ByteBuf out = alloc.buffer();
    codec.encodeDelimited(request, out);
    ns.stream().write(out);
    if (!expectsResponse) {
      ns.stream().closeWrite();
      result.complete(null);
    }
  }

  private static CompletableFuture<Connection> connection(Host host, KadPeer to) {
    List<Connection> open = host.connections(to.id());
    if (!open.isEmpty()) {
      return CompletableFuture.completedFuture(open.get(0));
    }
    List<Multiaddr> dialable = new ArrayList<>();
    for (Multiaddr a : to.addrs()) {
      if (a.tcpSocketAddress().isPresent() && a.peerId().map(p -> p.equals(to.id())).orElse(true)) {
        dialable.add(a.withPeerId(to.id()));
      }
    }
    if (dialable.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DialException(
              "cannot reach "
                  + to.id()
                  + ": not connected, and none of its "
                  + to.addrs().size()
                  + " known addresses is a TCP address"));
    }
    return dialAny(host, dialable, 0, null);
  }

  /** Dials {@code addrs[i..]} one at a time, the first success wins. */
  private static CompletableFuture<Connection> dialAny(
      Host host, List<Multiaddr> addrs, int i, Throwable last) {
    if (i == addrs.size()) {
      return CompletableFuture.failedFuture(
          new DialException(
              "all "
                  + addrs.size()
                  + " addresses of "
                  + addrs.get(0).peerId().orElseThrow()
                  + " failed; last: "
                  + last.getMessage(),
              last));
    }
    return host.dial(addrs.get(i))
        .handle(
            (c, e) ->
                e == null
                    ? CompletableFuture.completedFuture(c)
                    : dialAny(host, addrs, i + 1, unwrap(e)))
        .thenCompose(f -> f);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
