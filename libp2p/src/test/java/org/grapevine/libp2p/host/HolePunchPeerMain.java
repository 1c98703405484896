package org.grapevine.libp2p.host;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;

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
    PrivKey key = PrivKey.decode(HexFormat.of().parseHex(args[1]));
    Multiaddr peer = Multiaddr.parse(args[2]);
    boolean initiator = args[3].equals("initiator");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Host host =
        new Host(
            HostConfig.builder(key)
                .listen("/ip4/0.0.0.0/tcp/" + port)
                .dialTimeout(java.time.Duration.ofSeconds(5))
                .build(),
            group);
    host.start();
    say("self " + host.peerId());
    InputStream in = System.in;
    long at = Long.parseLong(readLine(in));
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
    while (in.read() >= 0) {
      // Wait for EOF: the parent closes our stdin to stop us.
    }
    host.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static String readLine(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      sb.append((char) c);
    }
    return sb.toString().strip();
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
