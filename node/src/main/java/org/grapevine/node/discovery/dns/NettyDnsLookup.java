package org.grapevine.node.discovery.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link DnsLookup} over Netty's DNS resolver (UDP, TCP when an answer is truncated), on one event
 * loop. Records are copied out and released here.
 */
public final class NettyDnsLookup implements DnsLookup, AutoCloseable {
  /** A TXT answer larger than this is not a bootstrap list; its records are dropped. */
  private static final int MAX_TXT_BYTES = 16 * 1024;

  private final DnsNameResolver resolver;

  /**
   * @param servers the DNS servers to ask, in order; empty = the system's ({@code
   *     /etc/resolv.conf})
   */
  public NettyDnsLookup(EventLoop loop, List<InetSocketAddress> servers, Duration queryTimeout) {
    DnsNameResolverBuilder b =
        new DnsNameResolverBuilder(loop)
            .datagramChannelType(NioDatagramChannel.class)
            .socketChannelType(NioSocketChannel.class)
            .queryTimeoutMillis(queryTimeout.toMillis())
            .maxQueriesPerResolve(4)
            .searchDomains(List.of()) // Bootstrap names are absolute.
            .ndots(1);
    b.nameServerProvider(
        servers.isEmpty()
            ? DnsServerAddressStreamProviders.platformDefault()
            : new SequentialDnsServerAddressStreamProvider(servers));
    this.resolver = b.build();
  }

  @Override
  public CompletableFuture<List<String>> txt(String name) {
    return query(name, DnsRecordType.TXT).thenApply(NettyDnsLookup::texts);
  }

  @Override
  public CompletableFuture<List<InetAddress>> addresses(String name, boolean ipv6) {
    return query(name, ipv6 ? DnsRecordType.AAAA : DnsRecordType.A)
        .thenApply(
            contents -> {
              List<InetAddress> out = new ArrayList<>();
              for (byte[] c : contents) {
                if (c.length == (ipv6 ? 16 : 4)) {
                  try {
                    out.add(InetAddress.getByAddress(name, c));
                  } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 or 16 bytes are always an address", e);
                  }
                }
              }
              return out;
            });
  }

  /** The raw contents of the answer's records of {@code type}. */
  private CompletableFuture<List<byte[]>> query(String name, DnsRecordType type) {
    CompletableFuture<List<byte[]>> out = new CompletableFuture<>();
    resolver
        .resolveAll(new DefaultDnsQuestion(name, type))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                out.completeExceptionally(f.cause());
                return;
              }
              @SuppressWarnings("unchecked")
              List<DnsRecord> records = (List<DnsRecord>) f.getNow();
              List<byte[]> contents = new ArrayList<>();
              for (DnsRecord r : records) {
                try {
                  if (r.type().equals(type) && r instanceof DnsRawRecord raw) {
                    ByteBuf c = raw.content();
                    byte[] bytes = new byte[c.readableBytes()];
                    c.getBytes(c.readerIndex(), bytes);
                    contents.add(bytes);
                  }
                } finally {
                  ReferenceCountUtil.release(r);
                }
              }
              out.complete(contents);
            });
    return out;
  }

  /**
   * TXT RDATA is one or more character-strings (a length byte, then that many bytes); a record's
   * text is their concatenation (as RFC 7208 3.3 joins them).
   */
  static List<String> texts(List<byte[]> contents) {
    List<String> out = new ArrayList<>();
    int total = 0;
    for (byte[] c : contents) {
      total += c.length;
      if (total > MAX_TXT_BYTES) {
        break;
      }
      StringBuilder sb = new StringBuilder();
      int i = 0;
      while (i < c.length) {
        int len = c[i] & 0xff;
        int end = Math.min(c.length, i + 1 + len);
        sb.append(new String(c, i + 1, end - i - 1, StandardCharsets.UTF_8));
        i = end;
      }
      out.add(sb.toString());
    }
    return out;
  }

  @Override
  public void close() {
    resolver.close();
  }
}
