package org.grapevine.libp2p.host;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;

/** The TCP sockets of a {@link Host}: listen addresses, listening, dialling (Netty bootstraps). */
final class HostSockets {
  /** Whether this JVM and OS let sockets share a port (SO_REUSEPORT): Linux and the BSDs do. */
  static final boolean REUSE_PORT = reusePortSupported();

  /**
   * {@value}: the TCP send and receive buffer size (SO_SNDBUF, SO_RCVBUF) of every connection, in
   * bytes; unset or 0 leaves both to the kernel's autotuning, the default. An experiment for bulk
   * transfer (benchmarks/README.md, "libp2p transport"), not a default: a fixed buffer turns Linux
   * autotuning off, and the kernel caps the request at net.core.wmem_max and rmem_max (212,992
   * bytes by default), which would limit a long-RTT connection more than autotuning does.
   */
  static final String SOCKET_BUFFER_PROPERTY = "grapevine.tcp.socketBufferBytes";

  private HostSockets() {}

  /** The SO_SNDBUF and SO_RCVBUF value, or null (the option unset: kernel autotuning). */
  static Integer socketBuffer() {
    int bytes = Integer.getInteger(SOCKET_BUFFER_PROPERTY, 0);
    return bytes > 0 ? bytes : null;
  }

  private static boolean reusePortSupported() {
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      return s.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    } catch (IOException e) {
      return false;
    }
  }

  /** The socket address of a listen multiaddr; only /ip4 or /ip6 with /tcp. */
  static InetSocketAddress listenAddress(String text) throws IOException {
    try {
      return Multiaddr.parse(text)
          .tcpSocketAddress()
          .orElseThrow(
              () ->
                  new IOException(
                      "cannot listen on " + text + ": only /ip4 or /ip6 with /tcp is supported"));
    } catch (MultiaddrFormatException e) {
      throw new IOException("cannot listen on " + text + ": " + e.getMessage(), e);
    }
  }

  /**
   * Binds {@code bindTo} (waiting for it); every accepted channel goes to {@code accept}.
   *
   * <p>The listening socket has SO_REUSEADDR and SO_REUSEPORT (where the JDK has it: Linux, BSDs),
   * so that a hole-punching dial ({@link #connect} from it) can leave from the listening port: a
   * NAT maps that port to the public one our peers observed, and only a dial from it meets theirs.
   * SO_REUSEPORT would also let a second process of the same user bind the same fixed port without
   * an error (and share its connections); so a fixed port is first bound without it, by a socket
   * closed at once, and "address in use" is reported as before. (Another process could still take
   * the port between the two binds; only one that also sets SO_REUSEPORT could, and we do not start
   * two nodes on one port.)
   */
  static ChannelFuture bind(
      EventLoopGroup group,
      ByteBufAllocator alloc,
      InetSocketAddress bindTo,
      Consumer<SocketChannel> accept)
      throws IOException {
    if (bindTo.getPort() != 0) {
      try (ServerSocketChannel probe = ServerSocketChannel.open()) {
        probe.bind(bindTo); // Throws BindException "Address already in use" if it is.
      }
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true);
    if (REUSE_PORT) {
      b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
    }
    return b.childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_SNDBUF, socketBuffer())
        .childOption(ChannelOption.SO_RCVBUF, socketBuffer())
        .childOption(ChannelOption.ALLOCATOR, alloc)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                accept.accept(ch);
              }
            })
        .bind(bindTo)
        .awaitUninterruptibly();
  }

  /**
   * Connects to {@code target}; {@code init} sets up the new channel's pipeline. With {@code from}
   * (a listening address: see {@link #bind}), the connection leaves from it, with SO_REUSEADDR and
   * SO_REUSEPORT: one side of a TCP simultaneous open, for hole punching (only where {@link
   * #REUSE_PORT}).
   */
  static ChannelFuture connect(
      EventLoopGroup group,
      ByteBufAllocator alloc,
      Duration timeout,
      Optional<InetSocketAddress> from,
      InetSocketAddress target,
      Consumer<SocketChannel> init) {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_SNDBUF, socketBuffer())
            .option(ChannelOption.SO_RCVBUF, socketBuffer())
            .option(ChannelOption.ALLOCATOR, alloc)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    init.accept(ch);
                  }
                });
    if (from.isEmpty()) {
      return b.connect(target);
    }
    return b.option(ChannelOption.SO_REUSEADDR, true)
        .option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true)
        .connect(target, from.get());
  }
}
