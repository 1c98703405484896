package org.grapevine.libp2p.host;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.grapevine.libp2p.multistream.netty.StreamNegotiation;
import org.grapevine.libp2p.mux.MuxedStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams of a {@link Host}'s connections: opening one and negotiating its protocol, and serving
 * the peer's streams with the host's protocol handlers (multistream-select on each).
 */
// Terminal whenComplete callbacks handle both outcomes themselves: nothing is left to act on.
@SuppressWarnings("FutureReturnValueIgnored")
final class HostStreams {
  private static final Logger log = LoggerFactory.getLogger(Host.class);

  private HostStreams() {}

  /**
   * Opens a stream on {@code connection} and negotiates the first of {@code protocols} the peer
   * accepts.
   */
  static CompletableFuture<NegotiatedStream> open(
      Connection connection,
      List<String> protocols,
      Duration timeout,
      List<HostListener> listeners) {
    CompletableFuture<NegotiatedStream> result = new CompletableFuture<>();
    connection
        .channel()
        .eventLoop()
        .execute(
            () -> {
              MuxedStream stream;
              try {
                stream = connection.muxer().openStream();
              } catch (IllegalStateException e) {
                result.completeExceptionally(
                    new DialException(
                        "cannot open a stream to "
                            + connection.remotePeer()
                            + ": "
                            + e.getMessage(),
                        e));
                return;
              }
              AtomicReference<MuxedStream> negotiated = new AtomicReference<>();
              StreamNegotiation.initiate(
                      stream,
                      protocols,
                      (s, p, leftover) -> negotiated.set(new PrefixedStream(s, leftover)),
                      timeout)
                  .whenComplete(
                      (protocol, error) -> {
                        if (error != null) {
                          result.completeExceptionally(
                              new DialException(
                                  "peer "
                                      + connection.remotePeer()
                                      + " accepted none of "
                                      + protocols
                                      + ": "
                                      + Failures.describe(error),
                                  error));
                        } else {
                          listeners.forEach(l -> l.onStreamOpened(connection, protocol, false));
                          result.complete(
                              new NegotiatedStream(negotiated.get(), protocol, connection));
                        }
                      });
            });
    return result;
  }

  /** Negotiates a stream the peer opened and hands it to the handler of the protocol chosen. */
  static void serve(
      Connection connection,
      MuxedStream stream,
      Map<String, ProtocolHandler> handlers,
      Duration timeout,
      List<HostListener> listeners) {
    Map<String, StreamNegotiation.ProtocolHandler> choices = new java.util.HashMap<>();
    handlers.forEach(
        (protocol, handler) ->
            choices.put(
                protocol,
                (s, p, leftover) -> {
                  listeners.forEach(l -> l.onStreamOpened(connection, p, true));
                  handler.onStream(new PrefixedStream(s, leftover), connection);
                }));
    StreamNegotiation.respond(stream, choices, timeout)
        .whenComplete(
            (p, e) -> {
              if (e != null) {
                log.debug(
                    "inbound stream from {} not negotiated: {}",
                    connection.remotePeer(),
                    Failures.describe(e));
              }
            });
  }
}
