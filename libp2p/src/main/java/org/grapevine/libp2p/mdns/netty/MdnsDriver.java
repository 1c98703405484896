package org.grapevine.libp2p.mdns.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.mdns.MdnsAddresses;
import org.grapevine.libp2p.mdns.MdnsConfig;
import org.grapevine.libp2p.mdns.MdnsEvent;
import org.grapevine.libp2p.mdns.MdnsInterfaces;
import org.grapevine.libp2p.mdns.MdnsSession;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link MdnsSession} on UDP multicast 224.0.0.251:5353 (IPv4 only). One datagram channel
 * per interface: each binds the wildcard address with SO_REUSEADDR (so that several processes on
 * one host, and the system's own mDNS responder, share the port), joins the group on its interface
 * and sends there ({@code IP_MULTICAST_IF}, TTL 255 as RFC 6762 §11 asks). All inputs hop onto one
 * executor and call the session with {@link System#nanoTime()}; the adapter makes no protocol
 * decisions. A packet that Linux delivers to several of our channels reaches the session several
 * times, which it tolerates (answers are rate-limited, discoveries repeat).
 */
public final class MdnsDriver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MdnsDriver.class);
  public static final int PORT = 5353;
  public static final InetAddress GROUP = address(new byte[] {(byte) 224, 0, 0, (byte) 251});

  private final MdnsSession session;
  private final EventLoopGroup group;
  private final EventExecutor loop;
  private final List<NetworkInterface> interfaces;
  private final int port;
  private final List<NioDatagramChannel> channels = new ArrayList<>();
  private final List<Consumer<MdnsEvent.PeerDiscovered>> listeners = new CopyOnWriteArrayList<>();
  private ScheduledFuture<?> timer;
  private volatile boolean closed;

  /**
   * @param interfaces where to run; {@link #defaultInterfaces()} picks every usable one
   * @param port 5353, except in tests that must not meet the host's real mDNS traffic
   */
  public MdnsDriver(
      MdnsConfig config,
      PeerId self,
      RandomGenerator random,
      EventLoopGroup group,
      List<NetworkInterface> interfaces,
      int port) {
    this.group = group;
    this.loop = group.next();
    this.interfaces = List.copyOf(interfaces);
    this.port = port;
    this.session = new MdnsSession(config, self, random, System.nanoTime());
  }

  /**
   * Up, multicast-capable interfaces with an IPv4 address: the non-loopback ones, else the loopback
   * ones ({@link MdnsInterfaces#choose}).
   */
  public static List<NetworkInterface> defaultInterfaces() throws SocketException {
    List<MdnsInterfaces.Candidate<NetworkInterface>> candidates = new ArrayList<>();
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      candidates.add(
          new MdnsInterfaces.Candidate<>(
              ni, ni.isUp(), ni.supportsMulticast(), ni.isLoopback(), !ipv4(ni).isEmpty()));
    }
    return MdnsInterfaces.choose(candidates);
  }

  /** Discovered peers, on the driver's executor. Keep it short. */
  public void addListener(Consumer<MdnsEvent.PeerDiscovered> listener) {
    listeners.add(listener);
  }

  /**
   * Binds, joins the group and starts querying and answering for {@code listenAddrs} (a host's
   * listen addresses; wildcard addresses are announced as the interfaces' addresses).
   *
   * @throws IOException if a channel cannot bind or join (everything opened so far is closed)
   */
  public void start(List<Multiaddr> listenAddrs) throws IOException {
    List<InetAddress> local = new ArrayList<>();
    for (NetworkInterface ni : interfaces) {
      local.addAll(ipv4(ni));
    }
    try {
      for (NetworkInterface ni : interfaces) {
        channels.add(open(ni));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    if (interfaces.isEmpty()) {
      log.info("mDNS: no multicast interface with an IPv4 address; not discovering on the LAN");
    }
    List<Multiaddr> announced = MdnsAddresses.announceable(listenAddrs, local);
    log.info(
        "mDNS on {} announcing {}",
        interfaces.stream().map(NetworkInterface::getName).toList(),
        announced);
    loop.execute(
        () -> {
          session.setListenAddrs(announced, System.nanoTime());
          drive();
        });
  }

  private NioDatagramChannel open(NetworkInterface ni) throws IOException {
    ChannelFuture bound =
        new Bootstrap()
            .group(group)
            .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET))
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.IP_MULTICAST_IF, ni)
            .option(ChannelOption.IP_MULTICAST_TTL, 255)
            // Loopback on, so that processes on one host hear each other. Set through the JDK
            // option:
            // Netty's NIO mapping of IP_MULTICAST_LOOP_DISABLED passes the flag through un-negated.
            .option(NioChannelOption.of(StandardSocketOptions.IP_MULTICAST_LOOP), true)
            .handler(
                new SimpleChannelInboundHandler<DatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                    byte[] bytes = new byte[packet.content().readableBytes()];
                    packet.content().readBytes(bytes);
                    loop.execute(
                        () -> {
                          if (!closed) {
                            session.handleDatagram(
                                Unpooled.wrappedBuffer(bytes), System.nanoTime());
                            drive();
                          }
                        });
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    log.debug("mDNS on {}: {}", ni.getName(), cause.toString());
                  }
                })
            .bind(new InetSocketAddress(port))
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IOException(
          "mDNS: cannot bind UDP port " + port + ": " + bound.cause().getMessage(), bound.cause());
    }
    NioDatagramChannel ch = (NioDatagramChannel) bound.channel();
    ChannelFuture joined =
        ch.joinGroup(new InetSocketAddress(GROUP, port), ni).awaitUninterruptibly();
    if (!joined.isSuccess()) {
      ch.close().awaitUninterruptibly();
      throw new IOException(
          "mDNS: cannot join "
              + GROUP.getHostAddress()
              + " on "
              + ni.getName()
              + ": "
              + joined.cause().getMessage(),
          joined.cause());
    }
    return ch;
  }

  /** Leaves the group and closes the channels; waits for them. */
  @Override
  public void close() {
    closed = true;
    loop.execute(
        () -> {
          if (timer != null) {
            timer.cancel(false);
          }
        });
    for (NioDatagramChannel ch : channels) {
      ch.close().awaitUninterruptibly();
    }
    channels.clear();
  }

  // --- Outputs, on the loop ---------------------------------------------------------------------

  private void drive() {
    for (Optional<byte[]> p = session.pollOutbound(); p.isPresent(); p = session.pollOutbound()) {
      for (NioDatagramChannel ch : channels) {
        ch.writeAndFlush(
                new DatagramPacket(
                    Unpooled.wrappedBuffer(p.get()), new InetSocketAddress(GROUP, port)))
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    log.debug("mDNS send failed: {}", f.cause().toString());
                  }
                });
      }
    }
    OptionalLong deadline = session.pollTimeout();
    if (deadline.isPresent() && !closed) {
      if (timer != null) {
        timer.cancel(false);
      }
      timer =
          loop.schedule(
              this::onTimer,
              Math.max(0, deadline.getAsLong() - System.nanoTime()),
              TimeUnit.NANOSECONDS);
    }
    for (Optional<MdnsEvent> e = session.pollEvent(); e.isPresent(); e = session.pollEvent()) {
      if (e.get() instanceof MdnsEvent.PeerDiscovered d) {
        log.debug("mDNS: {} at {}", d.peer(), d.addrs());
        listeners.forEach(l -> l.accept(d));
      } else {
        log.debug("mDNS: ignoring a packet: {}", ((MdnsEvent.MalformedPacket) e.get()).detail());
      }
    }
  }

  private void onTimer() {
    if (!closed) {
      session.handleTimeout(System.nanoTime());
      drive();
    }
  }

  private static List<InetAddress> ipv4(NetworkInterface ni) {
    List<InetAddress> out = new ArrayList<>();
    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
      if (a instanceof Inet4Address) {
        out.add(a);
      }
    }
    return out;
  }

  private static InetAddress address(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
