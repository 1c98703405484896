package org.grapevine.libp2p.host;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;

/** The TCP sockets of a {@link Host}: listen addresses, listening, dialling (Netty bootstraps). */
final class HostSockets {
  private HostSockets() {}

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

  /** Binds {@code bindTo} (waiting for it); every accepted channel goes to {@code accept}. */
  static ChannelFuture bind(
      EventLoopGroup group,
      ByteBufAllocator alloc,
      InetSocketAddress bindTo,
      Consumer<SocketChannel> accept) {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
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

  /** Connects to {@code target}; {@code init} sets up the new channel's pipeline. */
  static ChannelFuture connect(
      EventLoopGroup group,
      ByteBufAllocator alloc,
      Duration timeout,
      InetSocketAddress target,
      Consumer<SocketChannel> init) {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, alloc)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                init.accept(ch);
              }
            })
        .connect(target);
  }
}
