package org.grapevine.libp2p.mdns;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.mdns.netty.MdnsDriver;

/**
 * A child process for {@link MdnsNetnsIT}: a host listening on every interface plus mDNS; dials
 * every peer it discovers. Prints {@code self <id>}, {@code discovered <id> <addrs>} and {@code
 * connected <id> <direction>} lines; exits when stdin closes or after the given seconds.
 */
public final class MdnsPeerMain {
  private MdnsPeerMain() {}

  @SuppressWarnings("FutureReturnValueIgnored") // the dial callback reports both outcomes itself
  public static void main(String[] args) throws Exception {
    long timeoutSeconds = Long.parseLong(args[0]);
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Host host =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/0.0.0.0/tcp/0")
                .build(),
            group);
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            say("connected " + c.remotePeer() + " " + c.direction());
          }
        });
    host.start();
    say("self " + host.peerId());
    MdnsDriver mdns =
        new MdnsDriver(
            MdnsConfig.DEFAULT.withQueryInterval(Duration.ofSeconds(1)),
            host.peerId(),
            new SplittableRandom(),
            group,
            MdnsDriver.defaultInterfaces(),
            MdnsDriver.PORT);
    mdns.addListener(
        d -> {
          say("discovered " + d.peer() + " " + d.addrs());
          if (host.connections(d.peer()).isEmpty()) {
            host.dial(d.addrs().get(0))
                .whenComplete(
                    (c, e) -> {
                      if (e != null) {
                        say("dial-failed " + d.peer() + " " + e.getMessage());
                      }
                    });
          }
        });
    mdns.start(host.listenAddrs());
    Thread stdin =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // Wait for EOF: the parent closes our stdin to stop us.
                }
              } catch (java.io.IOException ignored) {
                // Same as EOF.
              }
            });
    stdin.setDaemon(true);
    stdin.start();
    stdin.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
    mdns.close();
    host.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    say("closed");
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
