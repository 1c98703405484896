package org.grapevine.libp2p.testing;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PrivKeyFormatException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;

/**
 * What the child JVMs of the NAT lab ({@link NetnsJava}) share: their report lines on stdout (read
 * by {@link NetnsJava#awaitLine}), commands on stdin, and a host on {@code 0.0.0.0:<port>} with the
 * key the parent gave as hex ({@link NatLab.Peer#keyHex}).
 */
public final class LabChild {
  private LabChild() {}

  /** One report line, flushed at once (the parent waits for it). */
  public static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Milliseconds since {@code sinceNanos} ({@link System#nanoTime}). */
  public static long ms(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }

  public static PrivKey key(String hex) throws PrivKeyFormatException {
    return PrivKey.decode(HexFormat.of().parseHex(hex));
  }

  /** The parent's commands, a line each; ends when the parent closes our stdin. */
  public static BufferedReader stdin() {
    return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  }

  public static MultiThreadIoEventLoopGroup group() {
    return new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  /** A host listening on every address at {@code port}; not started. */
  public static Host host(
      PrivKey key, int port, Duration dialTimeout, MultiThreadIoEventLoopGroup group) {
    return new Host(
        HostConfig.builder(key).listen("/ip4/0.0.0.0/tcp/" + port).dialTimeout(dialTimeout).build(),
        group);
  }

  public static void shutdown(MultiThreadIoEventLoopGroup group) {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
