package org.grapevine.libp2p.dcutr;

import static org.grapevine.libp2p.testing.LabChild.say;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.BufferedReader;
import java.time.Duration;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.dcutr.netty.DcutrResult;
import org.grapevine.libp2p.dcutr.netty.DcutrService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.testing.LabChild;

/**
 * A child process for {@link DcutrNetnsIT}, driven round by round through stdin. Arguments: base
 * port, private key (protobuf, hex), own public IP (what the NAT shows), then {@code listen}, or
 * {@code dial <peer's side-link IP> <peer id>}. Per round {@code i}: stdin {@code round i} starts a
 * new host on port {@code base + i} (the last round's is closed: a fresh port each round, as a TCP
 * 4-tuple cannot be reused at once after a close) with DCUtR, offering {@code <own IP>:<base + i>},
 * and prints {@code ready i}; the dialler then waits for {@code go i} and connects to the peer's
 * host over the side link; the listener, on that inbound connection, runs DCUtR as the initiator.
 * Each side prints {@code dcutr i <outcome> <attempts> <direct remote addr or -> <ms>}. Exits when
 * stdin closes.
 */
public final class DcutrPeerMain {
  private DcutrPeerMain() {}

  @SuppressWarnings("FutureReturnValueIgnored") // terminal callbacks report both outcomes
  public static void main(String[] args) throws Exception {
    int base = Integer.parseInt(args[0]);
    PrivKey key = LabChild.key(args[1]);
    String ownIp = args[2];
    boolean dialer = args[3].equals("dial");
    MultiThreadIoEventLoopGroup group = LabChild.group();
    BufferedReader in = LabChild.stdin();
    Host host = null;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] cmd = line.strip().split(" ", -1);
      int round = Integer.parseInt(cmd[1]);
      int port = base + round;
      if (cmd[0].equals("round")) {
        if (host != null) {
          host.close();
        }
        host = startHost(group, key, port, ownIp, round, dialer);
        say("ready " + round + " " + host.peerId());
      } else if (cmd[0].equals("go") && dialer && host != null) {
        host.dial(Multiaddr.parse("/ip4/" + args[4] + "/tcp/" + port + "/p2p/" + args[5]))
            .whenComplete((c, e) -> say(e == null ? "up " + round : "dial-failed " + e));
      }
    }
    if (host != null) {
      host.close();
    }
    LabChild.shutdown(group);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // terminal callbacks report both outcomes
  private static Host startHost(
      MultiThreadIoEventLoopGroup group,
      PrivKey key,
      int port,
      String ownIp,
      int round,
      boolean dialer)
      throws Exception {
    Host host = LabChild.host(key, port, Duration.ofSeconds(3), group);
    DcutrService dcutr = DcutrLab.service(host, Multiaddr.parse("/ip4/" + ownIp + "/tcp/" + port));
    long started = System.nanoTime();
    dcutr.addResponderListener((c, r) -> report(round, r, started));
    if (!dialer) {
      host.addListener(
          new HostListener() {
            @Override
            public void onConnected(Connection c) {
              if (c.direction() == Connection.Direction.INBOUND
                  && c.remoteAddr().toString().contains("/10.77.")) {
                long t = System.nanoTime();
                dcutr.upgrade(c).thenAccept(r -> report(round, r, t));
              }
            }
          });
    }
    dcutr.start();
    host.start();
    return host;
  }

  private static void report(int round, DcutrResult r, long started) {
    say("dcutr " + round + " " + DcutrLab.describe(r, started));
  }
}
