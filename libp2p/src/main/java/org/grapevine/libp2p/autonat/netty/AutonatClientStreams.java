package org.grapevine.libp2p.autonat.netty;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.autonat.AutonatClient;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.AutonatV2Codec;
import org.grapevine.libp2p.autonat.AutonatV2Message;
import org.grapevine.libp2p.autonat.ClientRequest;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire side of the AutoNAT v2 client: sends the core's {@link ClientRequest}s on {@code
 * dial-request} streams (paying dial data when the core agrees), and answers {@code dial-back}
 * streams when the core recognises the nonce. Every outcome goes back to the core on the service's
 * loop; nothing is decided here.
 *
 * <p>Dial data is sent as {@code DialDataResponse}s of 4096 bytes (the spec's largest), the last
 * one overshooting {@code numBytes} as the spec allows. A request's stream is reset after the
 * request timeout whatever happened (harmless once it is closed), so no stream outlives it.
 */
// Terminal whenComplete callbacks handle both outcomes themselves.
@SuppressWarnings("FutureReturnValueIgnored")
final class AutonatClientStreams {
  private static final Logger log = LoggerFactory.getLogger(AutonatClientStreams.class);
  private static final byte[] DATA_CHUNK =
      AutonatV2Codec.encode(
          new AutonatV2Message.DialDataResponse(AutonatV2Codec.MAX_DATA_CHUNK_BYTES));

  private final AutonatService service;
  private final Host host;
  private final ByteBufAllocator alloc;
  private final AutonatClient client;
  private final long requestTimeoutNanos;

  AutonatClientStreams(
      AutonatService service,
      Host host,
      ByteBufAllocator alloc,
      AutonatClient client,
      long requestTimeoutNanos) {
    this.service = service;
    this.host = host;
    this.alloc = alloc;
    this.client = client;
    this.requestTimeoutNanos = requestTimeoutNanos;
  }

  /** Sends one request (called on the service's loop). */
  void send(ClientRequest req) {
    List<Connection> conns = host.connections(req.server());
    if (conns.isEmpty()) {
      client.handleFailure(req.id(), service.now());
      return;
    }
    // Our own connection to the server, not one it dialled: its dial backs arrive as inbound
    // connections that it closes right after, and a request sent on one would die with it.
    Connection conn =
        conns.stream()
            .filter(c -> c.direction() == Connection.Direction.OUTBOUND)
            .findFirst()
            .orElse(conns.get(0));
    host.newStream(conn, List.of(AutonatConfig.DIAL_REQUEST))
        .whenComplete(
            (ns, e) -> {
              if (e != null) {
                log.debug("AutoNAT request to {} not opened: {}", req.server(), e.getMessage());
                service.onLoop(() -> client.handleFailure(req.id(), service.now()));
              } else {
                start(ns.stream(), req);
              }
            });
  }

  private void start(MuxedStream stream, ClientRequest req) {
    long id = req.id();
    MessageReader reader =
        new MessageReader(
            alloc,
            AutonatV2Codec.MAX_MESSAGE_BYTES,
            (s, body) -> {
              AutonatV2Message m = AutonatV2Codec.decode(body);
              if (m instanceof AutonatV2Message.DialDataRequest d) {
                service.onLoop(() -> pay(s, id, d));
                return true;
              } else if (m instanceof AutonatV2Message.DialResponse r) {
                s.closeWrite();
                service.onLoop(() -> client.handleResponse(id, r, service.now()));
                return false;
              }
              throw new MalformedFrameException(
                  FrameError.PROTOCOL_VIOLATION, "a server sent a client's message");
            },
            (s, why, detail) -> {
              log.debug("AutoNAT request to {} failed: {} {}", req.server(), why, detail);
              service.onLoop(() -> client.handleFailure(id, service.now()));
            });
    stream.setReader(reader);
    List<byte[]> addrs = new ArrayList<>();
    for (Multiaddr a : req.addrs()) {
      addrs.add(a.encode());
    }
    MessageReader.write(
        stream, alloc, AutonatV2Codec.encode(new AutonatV2Message.DialRequest(addrs, req.nonce())));
    stream
        .executor()
        .schedule(
            () -> {
              reader.finish();
              stream.reset();
            },
            requestTimeoutNanos,
            TimeUnit.NANOSECONDS);
  }

  /** On the loop: the core decides whether to pay; then the data goes out, or the stream resets. */
  private void pay(MuxedStream stream, long id, AutonatV2Message.DialDataRequest d) {
    if (!client.handleDialDataRequest(id, d.addrIdx(), d.numBytes(), service.now())) {
      stream.reset();
      client.handleFailure(id, service.now());
      return;
    }
    for (long sent = 0; sent < d.numBytes(); sent += AutonatV2Codec.MAX_DATA_CHUNK_BYTES) {
      MessageReader.write(stream, alloc, DATA_CHUNK);
    }
  }

  /** Handler of {@link AutonatConfig#DIAL_BACK}: one {@code DialBack}, answered if we know it. */
  void serveDialBack(MuxedStream stream, Connection conn) {
    stream.setReader(
        new MessageReader(
            alloc,
            AutonatV2Codec.MAX_DIAL_BACK_BYTES,
            (s, body) -> {
              long nonce = AutonatV2Codec.decodeDialBack(body);
              service.onLoop(
                  () -> {
                    if (client.handleDialBack(nonce, conn.localAddr(), service.now())) {
                      MessageReader.write(s, alloc, AutonatV2Codec.encodeDialBackResponse());
                      s.closeWrite();
                    } else {
                      s.reset();
                    }
                  });
              return false;
            },
            (s, why, detail) -> {}));
  }
}
