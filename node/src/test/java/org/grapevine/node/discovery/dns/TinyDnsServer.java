package org.grapevine.node.discovery.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real DNS server on 127.0.0.1 (UDP, a free port) for tests: it answers TXT and A/AAAA questions
 * from tables the test fills, NXDOMAIN for unknown names, and nothing at all for names marked
 * silent (so the client times out). It records every question it was asked.
 */
final class TinyDnsServer implements AutoCloseable {
  private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
  private final Map<String, List<InetAddress>> ips = new ConcurrentHashMap<>();
  private final Set<String> silent = ConcurrentHashMap.newKeySet();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final Channel channel;

  TinyDnsServer(EventLoopGroup group) {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(
                new ChannelInitializer<NioDatagramChannel>() {
                  @Override
                  protected void initChannel(NioDatagramChannel ch) {
                    ch.pipeline()
                        .addLast(new DatagramDnsQueryDecoder())
                        .addLast(new DatagramDnsResponseEncoder())
                        .addLast(new Answerer());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** TXT records of {@code name} (without the trailing dot). */
  TinyDnsServer txt(String name, String... records) {
    txt.put(name, List.of(records));
    return this;
  }

  TinyDnsServer ip(String name, InetAddress... addrs) {
    ips.put(name, List.of(addrs));
    return this;
  }

  /** Questions about {@code name} get no answer. */
  TinyDnsServer silent(String name) {
    silent.add(name);
    return this;
  }

  /** Every question asked so far, as "TYPE name". */
  List<String> asked() {
    return List.copyOf(asked);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    @SuppressWarnings(
        "FutureReturnValueIgnored") // A lost UDP answer is a timeout, as on a network.
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion q = query.recordAt(DnsSection.QUESTION);
      String name =
          q.name().endsWith(".") ? q.name().substring(0, q.name().length() - 1) : q.name();
      asked.add(q.type().name() + " " + name);
      if (silent.contains(name)) {
        return;
      }
      DatagramDnsResponse r =
          new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      r.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
      r.addRecord(DnsSection.QUESTION, q);
      boolean known = txt.containsKey(name) || ips.containsKey(name);
      if (!known) {
        r.setCode(DnsResponseCode.NXDOMAIN);
      } else if (q.type().equals(DnsRecordType.TXT)) {
        for (String t : txt.getOrDefault(name, List.of())) {
          byte[] b = t.getBytes(StandardCharsets.UTF_8);
          ByteBuf content = Unpooled.buffer();
          // One record may be several character-strings of at most 255 bytes each.
          for (int i = 0; i < b.length; i += 255) {
            int n = Math.min(255, b.length - i);
            content.writeByte(n).writeBytes(b, i, n);
          }
          r.addRecord(
              DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.TXT, 60, content));
        }
      } else {
        boolean v6 = q.type().equals(DnsRecordType.AAAA);
        for (InetAddress ip : ips.getOrDefault(name, List.of())) {
          if ((ip.getAddress().length == 16) == v6) {
            r.addRecord(
                DnsSection.ANSWER,
                new DefaultDnsRawRecord(
                    q.name(), q.type(), 60, Unpooled.wrappedBuffer(ip.getAddress())));
          }
        }
      }
      ctx.writeAndFlush(r);
    }
  }
}
