package org.grapevine.libp2p.dcutr;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.dcutr.netty.DcutrResult;
import org.grapevine.libp2p.dcutr.netty.DcutrService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * A child process for {@link DcutrNetnsIT}: a host on {@code 0.0.0.0:<port>} with DCUtR, offering
 * {@code <own public addr>} as its observed address. Arguments: port, private key (protobuf, hex),
 * own public address, then {@code listen} or {@code dial <peer multiaddr>}. The dialler dials when
 * stdin says {@code go}; the listener, on that inbound connection, runs DCUtR as the initiator (the
 * inbound side, as over a relay). Prints {@code self <id>}, then {@code dcutr <outcome> <attempts>
 * <direct remote addr or -> <ms>}; exits when stdin closes.
 */
public final class DcutrPeerMain {
  private DcutrPeerMain() {}

  @SuppressWarnings("FutureReturnValueIgnored") // terminal callbacks report both outcomes
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    PrivKey key = PrivKey.decode(HexFormat.of().parseHex(args[1]));
    Multiaddr own = Multiaddr.parse(args[2]);
    boolean dialer = args[3].equals("dial");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Host host =
        new Host(
            HostConfig.builder(key)
                .listen("/ip4/0.0.0.0/tcp/" + port)
                .dialTimeout(Duration.ofSeconds(3))
                .build(),
            group);
    DcutrService dcutr =
        new DcutrService(
            host,
            () -> List.of(own),
            DcutrService::publicTcp,
            Duration.ofSeconds(5),
            PooledByteBufAllocator.DEFAULT);
    long[] started = {System.nanoTime()};
    dcutr.addResponderListener((c, r) -> report(r, started[0]));
    if (!dialer) {
      host.addListener(
          new HostListener() {
            @Override
            public void onConnected(Connection c) {
              if (c.direction() == Connection.Direction.INBOUND
                  && c.remoteAddr().toString().contains("/10.77.")) {
                started[0] = System.nanoTime();
                dcutr.upgrade(c).thenAccept(r -> report(r, started[0]));
              }
            }
          });
    }
    dcutr.start();
    host.start();
    say("self " + host.peerId());
    InputStream in = System.in;
    if (dialer && readLine(in).equals("go")) {
      started[0] = System.nanoTime();
      host.dial(Multiaddr.parse(args[4]))
          .whenComplete((c, e) -> say(e == null ? "relay-standin up" : "dial-failed " + e));
    }
    while (in.read() >= 0) {
      // Wait for EOF: the parent closes our stdin to stop us.
    }
    host.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static void report(DcutrResult r, long started) {
    say(
        "dcutr "
            + r.outcome()
            + " "
            + r.attempts()
            + " "
            + r.direct().map(c -> c.remoteAddr().toString()).orElse("-")
            + " "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
            + " ("
            + r.detail()
            + ")");
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
