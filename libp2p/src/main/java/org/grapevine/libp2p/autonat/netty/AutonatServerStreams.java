package org.grapevine.libp2p.autonat.netty;

import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.AutonatServer;
import org.grapevine.libp2p.autonat.AutonatV1Codec;
import org.grapevine.libp2p.autonat.AutonatV1Server;
import org.grapevine.libp2p.autonat.AutonatV2Codec;
import org.grapevine.libp2p.autonat.AutonatV2Message;
import org.grapevine.libp2p.autonat.DialStatus;
import org.grapevine.libp2p.autonat.ServerAction;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire side of the AutoNAT servers: reads requests from {@code dial-request} and v1 streams
 * into the cores (on the service's loop) and carries out their {@link ServerAction}s: writes,
 * resets, and dials back. No decisions are made here.
 *
 * <p>Dial backs: {@link Host#dial} of an address without {@code /p2p}, which always opens a new
 * connection (never the requester's own, as the spec requires, and from an ephemeral port, as it
 * suggests), then a {@code dial-back} stream with the nonce, waiting for the client's {@code
 * DialBackResponse}; the connection is closed afterwards. Could not connect: {@code E_DIAL_ERROR};
 * connected but no response within {@link #DIAL_BACK_TIMEOUT}: {@code E_DIAL_BACK_ERROR}. v1 dials
 * the same way and counts a dial only if the peer that answers is the requester.
 */
// Terminal whenComplete callbacks handle both outcomes themselves.
@SuppressWarnings("FutureReturnValueIgnored")
final class AutonatServerStreams {
  private static final Logger log = LoggerFactory.getLogger(AutonatServerStreams.class);
  static final Duration DIAL_BACK_TIMEOUT = Duration.ofSeconds(10);

  private record Served(MuxedStream stream, MessageReader reader, PeerId peer) {}

  private final AutonatService service;
  private final Host host;
  private final ByteBufAllocator alloc;
  private final AutonatServer v2;
  private final AutonatV1Server v1;
  private final AtomicLong ids = new AtomicLong();

  /** Streams of requests being served; touched on the service's loop only. */
  private final Map<Long, Served> served = new HashMap<>();

  AutonatServerStreams(
      AutonatService service,
      Host host,
      ByteBufAllocator alloc,
      AutonatServer v2,
      AutonatV1Server v1) {
    this.service = service;
    this.host = host;
    this.alloc = alloc;
    this.v2 = v2;
    this.v1 = v1;
  }

  /** Handler of {@link AutonatConfig#DIAL_REQUEST}. */
  void serveV2(MuxedStream stream, Connection conn) {
    long id = ids.incrementAndGet();
    boolean[] first = {true};
    MessageReader reader =
        new MessageReader(
            alloc,
            AutonatV2Codec.MAX_MESSAGE_BYTES,
            (s, body) -> {
              AutonatV2Message m = AutonatV2Codec.decode(body);
              boolean isFirst = first[0];
              first[0] = false;
              service.onLoop(
                  () -> {
                    long now = service.now();
                    if (isFirst && m instanceof AutonatV2Message.DialRequest r) {
                      v2.handleDialRequest(id, conn.remotePeer(), conn.remoteAddr(), r, now);
                    } else if (m instanceof AutonatV2Message.DialDataResponse d) {
                      v2.handleDialData(id, d.dataBytes(), now);
                    } else {
                      v2.handleUnexpected(id, now);
                    }
                  });
              return true;
            },
            (s, why, detail) -> {
              log.debug("AutoNAT request from {} ended: {} {}", conn.remotePeer(), why, detail);
              ended(id, () -> v2.handleStreamClosed(id, service.now()));
            });
    serve(id, stream, reader, conn);
  }

  /** Handler of {@link AutonatConfig#V1}: one DIAL, one answer. */
  void serveV1(MuxedStream stream, Connection conn) {
    long id = ids.incrementAndGet();
    MessageReader reader =
        new MessageReader(
            alloc,
            AutonatV1Codec.MAX_MESSAGE_BYTES,
            (s, body) -> {
              AutonatV1Codec.Dial dial = AutonatV1Codec.decodeDial(body);
              service.onLoop(
                  () ->
                      v1.handleDial(id, conn.remotePeer(), conn.remoteAddr(), dial, service.now()));
              return false;
            },
            (s, why, detail) -> ended(id, () -> v1.handleStreamClosed(id, service.now())));
    serve(id, stream, reader, conn);
  }

  /**
   * Remembers the stream, then starts reading it: the entry is posted to the service's loop before
   * any end the reader posts, so an end always finds (and removes) it.
   */
  private void serve(long id, MuxedStream stream, MessageReader reader, Connection conn) {
    service.onLoop(() -> served.put(id, new Served(stream, reader, conn.remotePeer())));
    stream.setReader(reader);
  }

  /** The request's stream ended: forget it and tell its core, on the service's loop. */
  private void ended(long id, Runnable tellCore) {
    service.onLoop(
        () -> {
          served.remove(id);
          tellCore.run();
        });
  }

  /** On the service's loop. */
  void carryOut(ServerAction action) {
    Served s = served.get(action.id());
    if (action instanceof ServerAction.AskDialData a) {
      write(
          s,
          AutonatV2Codec.encode(new AutonatV2Message.DialDataRequest(a.addrIdx(), a.numBytes())));
    } else if (action instanceof ServerAction.DialBack d && s != null) {
      dialBack(d.addr(), d.nonce())
          .whenComplete(
              (status, e) ->
                  service.onLoop(() -> v2.handleDialBackResult(d.id(), status, service.now())));
    } else if (action instanceof ServerAction.Respond r) {
      finish(action.id(), s, AutonatV2Codec.encode(r.response()));
    } else if (action instanceof ServerAction.DialV1 d && s != null) {
      dialV1(d.addrs(), 0, s.peer())
          .whenComplete(
              (ok, e) -> service.onLoop(() -> v1.handleDialResult(d.id(), ok, service.now())));
    } else if (action instanceof ServerAction.RespondV1 r) {
      finish(action.id(), s, AutonatV1Codec.encodeResponse(r.response()));
    } else if (action instanceof ServerAction.Abort a) {
      log.debug("AutoNAT request {} aborted: {} {}", a.id(), a.code(), a.reason());
      served.remove(a.id());
      if (s != null) {
        s.reader().finishLater(s.stream());
        s.stream().reset();
      }
    }
  }

  private void write(Served s, byte[] body) {
    if (s != null) {
      MessageReader.write(s.stream(), alloc, body);
    }
  }

  private void finish(long id, Served s, byte[] body) {
    served.remove(id);
    if (s != null) {
      write(s, body);
      s.stream().closeWrite();
      s.reader().finishLater(s.stream());
    }
  }

  private CompletableFuture<DialStatus> dialBack(Multiaddr addr, long nonce) {
    CompletableFuture<DialStatus> out = new CompletableFuture<>();
    host.dial(addr)
        .whenComplete(
            (conn, dialError) -> {
              if (dialError != null) {
                out.complete(DialStatus.E_DIAL_ERROR);
                return;
              }
              out.whenComplete((st, e) -> conn.close());
              host.newStream(conn, List.of(AutonatConfig.DIAL_BACK))
                  .whenComplete(
                      (ns, e) -> {
                        if (e != null) {
                          out.complete(DialStatus.E_DIAL_BACK_ERROR);
                        } else {
                          awaitDialBackResponse(ns.stream(), nonce, out);
                        }
                      });
            });
    return out.completeOnTimeout(
        DialStatus.E_DIAL_BACK_ERROR,
        DIAL_BACK_TIMEOUT.plus(host.config().dialTimeout()).toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void awaitDialBackResponse(
      MuxedStream stream, long nonce, CompletableFuture<DialStatus> out) {
    MessageReader reader =
        new MessageReader(
            alloc,
            AutonatV2Codec.MAX_DIAL_BACK_BYTES,
            (s, body) -> {
              boolean ok = AutonatV2Codec.decodeDialBackResponse(body);
              out.complete(ok ? DialStatus.OK : DialStatus.E_DIAL_BACK_ERROR);
              return false;
            },
            (s, why, detail) -> out.complete(DialStatus.E_DIAL_BACK_ERROR));
    stream.setReader(reader);
    MessageReader.write(stream, alloc, AutonatV2Codec.encodeDialBack(nonce));
    stream.closeWrite();
    out.whenComplete((st, e) -> reader.finishLater(stream));
  }

  /** Dials {@code addrs[i..]} one at a time; the first that reaches {@code requester} wins. */
  private CompletableFuture<Optional<Multiaddr>> dialV1(
      List<Multiaddr> addrs, int i, PeerId requester) {
    if (i == addrs.size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Multiaddr addr = addrs.get(i);
    return host.dial(addr)
        .handle(
            (conn, e) -> {
              if (conn != null) {
                conn.close();
              }
              return conn != null && conn.remotePeer().equals(requester);
            })
        .thenCompose(
            ok ->
                ok
                    ? CompletableFuture.completedFuture(Optional.of(addr))
                    : dialV1(addrs, i + 1, requester));
  }
}
