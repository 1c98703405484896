package org.grapevine.libp2p.host;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.RelayLimit;

/**
 * {@link Host#upgradeRelayed}: a relay circuit's stream becomes a {@link StreamChannel} on the
 * stream's event loop, registered, given the {@link ConnectionUpgrader}, then activated, exactly
 * the order a TCP channel goes through (register, init, active).
 */
// The registration future is handled by its listener; nothing else awaits it.
@SuppressWarnings("FutureReturnValueIgnored")
final class RelayedUpgrade {
  private RelayedUpgrade() {}

  static CompletableFuture<Connection> start(
      Host host,
      MuxedStream stream,
      Connection.Direction direction,
      Optional<PeerId> expected,
      Multiaddr circuitAddr,
      RelayLimit limit) {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    EventLoop loop = (EventLoop) stream.executor();
    loop.execute(
        () -> {
          if (!host.tryStartUpgrade()) {
            stream.reset();
            result.completeExceptionally(
                new DialException(
                    "circuit " + circuitAddr + ": host closing or at its connection limit"));
            return;
          }
          StreamChannel ch = new StreamChannel(stream);
          loop.register(ch)
              .addListener(
                  (ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                      host.upgradeFailed();
                      stream.reset();
                      result.completeExceptionally(
                          new DialException(
                              "circuit " + circuitAddr + ": " + f.cause(), f.cause()));
                      return;
                    }
                    new ConnectionUpgrader(
                            host, direction, expected, circuitAddr, result, circuitAddr, limit)
                        .install(ch);
                    ch.activate();
                  });
        });
    return result;
  }
}
