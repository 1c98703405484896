package org.grapevine.libp2p.relay.netty;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrComponent;
import org.grapevine.libp2p.multiaddr.MultiaddrProtocol;
import org.grapevine.libp2p.peer.PeerId;

/** Protocol IDs, timeouts and small helpers shared by the relay's adapters. */
public final class RelayProtocols {
  public static final String HOP = "/libp2p/circuit/relay/0.2.0/hop";
  public static final String STOP = "/libp2p/circuit/relay/0.2.0/stop";

  /** How long a hop or stop peer has to send its message (go: StreamTimeout 1 min). */
  static final Duration STREAM_TIMEOUT = Duration.ofSeconds(60);

  /** How long the relay waits for the target's stop answer (go: ConnectTimeout 30 s). */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private RelayProtocols() {}

  /** {@code <relayAddr>/p2p/<relay>/p2p-circuit}: what both ends of a circuit call its address. */
  static Multiaddr circuitAddr(Multiaddr relayAddr, PeerId relay) {
    try {
      return relayAddr
          .withPeerId(relay)
          .encapsulate(Multiaddr.of(List.of(MultiaddrComponent.of(MultiaddrProtocol.P2P_CIRCUIT))));
    } catch (MalformedFrameException e) {
      throw new IllegalStateException("/p2p-circuit is a valid address", e);
    }
  }

  /** The wall clock in Unix seconds: the spec's reservation expiry is in these. */
  static long unixSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  /**
   * Runs {@code task} on {@code loop}, unless the loop is shutting down (the host is closing: its
   * connections close and their callbacks have nothing left to tell a stopped core).
   */
  static void post(io.netty.util.concurrent.EventExecutor loop, Runnable task) {
    try {
      loop.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Shutting down; see above.
    }
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  static String describe(Throwable t) {
    Throwable c = unwrap(t);
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }
}
