package org.grapevine.libp2p.host;

import static org.grapevine.libp2p.testing.LabChild.say;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.BufferedReader;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.testing.LabChild;

/**
 * A child process for {@link HolePunchNetnsIT}: a host listening on {@code 0.0.0.0:<port>} that, at
 * the agreed wall-clock instant, dials the peer with {@link Host#dialHolePunch} in the given role,
 * as a DCUtR session would once both sides have exchanged addresses. Arguments: the port, our
 * private key (protobuf, hex), the peer's multiaddr (with /p2p), {@code initiator} or {@code
 * responder}. Prints {@code self <id>} when listening, then reads the instant (epoch ms) as the
 * first line of stdin, and at that instant dials; prints {@code connected <peer> <direction> <ms
 * after the instant>} (and {@code ping <ms>} over it) or {@code failed <why>}; exits when stdin
 * closes.
 */
public final class HolePunchPeerMain {
  private HolePunchPeerMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    PrivKey key = LabChild.key(args[1]);
    Multiaddr peer = Multiaddr.parse(args[2]);
    boolean initiator = args[3].equals("initiator");
    MultiThreadIoEventLoopGroup group = LabChild.group();
    Host host = LabChild.host(key, port, Duration.ofSeconds(5), group);
    host.start();
    say("self " + host.peerId());
    BufferedReader in = LabChild.stdin();
    long at = Long.parseLong(in.readLine().strip());
    Thread.sleep(Math.max(0, at - System.currentTimeMillis()));
    try {
      Connection c = host.dialHolePunch(peer, initiator).get(15, TimeUnit.SECONDS);
      say(
          "connected "
              + c.remotePeer()
              + " "
              + c.direction()
              + " "
              + (System.currentTimeMillis() - at));
      say("ping " + TimeUnit.NANOSECONDS.toMillis(host.ping(c).get(10, TimeUnit.SECONDS)));
    } catch (java.util.concurrent.ExecutionException e) {
      say("failed " + e.getCause().getMessage());
    }
    while (in.readLine() != null) {
      // Wait for EOF: the parent closes our stdin to stop us.
    }
    host.close();
    LabChild.shutdown(group);
  }
}
