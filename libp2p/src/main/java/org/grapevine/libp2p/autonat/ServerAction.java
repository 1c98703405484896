package org.grapevine.libp2p.autonat;

import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * What an AutoNAT server core asks its driver to do for request {@code id} (the driver's handle on
 * the request's stream). Drained with {@code pollAction}.
 */
public sealed interface ServerAction {
  long id();

  /** v2: write {@code DialDataRequest(addrIdx, numBytes)} and wait for the data. */
  record AskDialData(long id, int addrIdx, long numBytes) implements ServerAction {}

  /**
   * v2: dial {@code addr} on a new connection, send {@code DialBack(nonce)} on a dial-back stream,
   * then report with {@code handleDialBackResult}.
   */
  record DialBack(long id, Multiaddr addr, long nonce) implements ServerAction {}

  /** v2: write this response and close the stream: the request is over. */
  record Respond(long id, AutonatV2Message.DialResponse response) implements ServerAction {}

  /** v1: dial these addresses one after another, then report with {@code handleDialResult}. */
  record DialV1(long id, List<Multiaddr> addrs) implements ServerAction {
    public DialV1 {
      addrs = List.copyOf(addrs);
    }
  }

  /** v1: write this response and close the stream. */
  record RespondV1(long id, AutonatV1Codec.Response response) implements ServerAction {}

  /** The peer broke the protocol or took too long: reset the stream; the request is over. */
  record Abort(long id, FrameError code, String reason) implements ServerAction {}
}
