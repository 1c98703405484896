package org.grapevine.node.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DnsaddrResolver} over {@link NettyDnsLookup} against a real DNS server on 127.0.0.1
 * ({@link TinyDnsServer}): recursion, the /p2p filter, the limits, NXDOMAIN and timeouts.
 */
@Timeout(60)
class DnsaddrResolverIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final TinyDnsServer dns = new TinyDnsServer(group);
  private final NettyDnsLookup lookup =
      new NettyDnsLookup(group.next(), List.of(dns.address()), Duration.ofMillis(500));
  private final DnsaddrResolver resolver = new DnsaddrResolver(lookup);
  private final String a = peer().toString();
  private final String b = peer().toString();

  @AfterEach
  void close() {
    lookup.close();
    dns.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static PeerId peer() {
    return PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
  }

  private DnsaddrResolver.Result resolve(String name) throws Exception {
    return resolver.resolve(Multiaddr.parse(name)).get(30, TimeUnit.SECONDS);
  }

  private static List<String> texts(DnsaddrResolver.Result r) {
    return r.addrs().stream().map(Multiaddr::toString).toList();
  }

  /** Two levels, like bootstrap.libp2p.io: a list of names, each with its peer's addresses. */
  private void twoLevels() {
    dns.txt(
            "_dnsaddr.boot.test",
            "v=spf1 -all", // Not a dnsaddr record: ignored.
            "dnsaddr=/dnsaddr/a.boot.test/p2p/" + a,
            "dnsaddr=/dnsaddr/b.boot.test/p2p/" + b)
        .txt(
            "_dnsaddr.a.boot.test",
            "dnsaddr=/ip4/127.0.0.1/tcp/4001/p2p/" + a,
            "dnsaddr=/ip4/127.0.0.1/udp/4001/quic-v1/p2p/" + a, // Not TCP: skipped.
            "dnsaddr=/ip6/::1/tcp/4001/p2p/" + a)
        .txt("_dnsaddr.b.boot.test", "dnsaddr=/ip4/127.0.0.2/tcp/4002/p2p/" + b);
  }

  @Test
  void dnsaddr_recursive_resolvesEveryPeersTcpAddresses() throws Exception {
    twoLevels();
    DnsaddrResolver.Result r = resolve("/dnsaddr/boot.test");
    assertThat(texts(r))
        .containsExactlyInAnyOrder(
            "/ip4/127.0.0.1/tcp/4001/p2p/" + a,
            "/ip6/::1/tcp/4001/p2p/" + a,
            "/ip4/127.0.0.2/tcp/4002/p2p/" + b);
    assertThat(r.skipped()).isEqualTo(1);
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void dnsaddr_withPeerId_keepsThatPeerOnly_andDoesNotFollowOthers() throws Exception {
    twoLevels();
    DnsaddrResolver.Result r = resolve("/dnsaddr/boot.test/p2p/" + b);
    assertThat(texts(r)).containsExactly("/ip4/127.0.0.2/tcp/4002/p2p/" + b);
    assertThat(dns.asked()).doesNotContain("TXT _dnsaddr.a.boot.test");
  }

  @Test
  void dnsaddr_recordsOfAnotherPeer_filteredOut() throws Exception {
    dns.txt(
        "_dnsaddr.c.test",
        "dnsaddr=/ip4/127.0.0.3/tcp/1/p2p/" + a,
        "dnsaddr=/ip4/127.0.0.3/tcp/2/p2p/" + b,
        "dnsaddr=/ip4/127.0.0.3/tcp/3"); // No peer id: nothing to dial it as.
    DnsaddrResolver.Result r = resolve("/dnsaddr/c.test/p2p/" + b);
    assertThat(texts(r)).containsExactly("/ip4/127.0.0.3/tcp/2/p2p/" + b);
    assertThat(r.skipped()).isEqualTo(2);
  }

  @Test
  void dnsaddr_loop_stopsAtTheDepthLimit() throws Exception {
    dns.txt("_dnsaddr.loop.test", "dnsaddr=/dnsaddr/loop.test");
    DnsaddrResolver.Result r = resolve("/dnsaddr/loop.test");
    assertThat(r.addrs()).isEmpty();
    assertThat(dns.asked()).hasSize(DnsaddrResolver.MAX_DEPTH);
    assertThat(r.problems()).anyMatch(p -> p.contains("nested more than"));
  }

  @Test
  void dnsaddr_wideFanOut_stopsAtTheLookupLimit() throws Exception {
    String[] records = new String[40];
    for (int i = 0; i < records.length; i++) {
      records[i] = "dnsaddr=/dnsaddr/w" + i + ".test";
      dns.txt("_dnsaddr.w" + i + ".test", "dnsaddr=/ip4/127.0.0.4/tcp/" + (1000 + i) + "/p2p/" + a);
    }
    dns.txt("_dnsaddr.wide.test", records);
    DnsaddrResolver.Result r = resolve("/dnsaddr/wide.test");
    assertThat(dns.asked()).hasSize(DnsaddrResolver.MAX_LOOKUPS);
    assertThat(r.addrs()).hasSize(DnsaddrResolver.MAX_LOOKUPS - 1);
    assertThat(r.problems()).anyMatch(p -> p.contains("DNS queries already made"));
  }

  @Test
  void dnsaddr_noSuchName_isAProblemNotAFailure() throws Exception {
    DnsaddrResolver.Result r = resolve("/dnsaddr/missing.test");
    assertThat(r.addrs()).isEmpty();
    assertThat(r.problems()).singleElement().asString().startsWith("TXT _dnsaddr.missing.test: ");
  }

  @Test
  void dnsaddr_serverSilent_timesOutAndSaysSo() throws Exception {
    dns.silent("_dnsaddr.silent.test");
    DnsaddrResolver.Result r = resolve("/dnsaddr/silent.test");
    assertThat(r.addrs()).isEmpty();
    assertThat(r.problems()).singleElement().asString().startsWith("TXT _dnsaddr.silent.test: ");
  }

  @Test
  void dnsaddr_oneBranchFails_theOthersStillResolve() throws Exception {
    dns.txt(
            "_dnsaddr.mixed.test",
            "dnsaddr=/dnsaddr/gone.test",
            "dnsaddr=/ip4/127.0.0.5/tcp/5/p2p/" + a,
            "dnsaddr=/not-a-protocol/x")
        .silent("_dnsaddr.gone.test");
    DnsaddrResolver.Result r = resolve("/dnsaddr/mixed.test");
    assertThat(texts(r)).containsExactly("/ip4/127.0.0.5/tcp/5/p2p/" + a);
    assertThat(r.problems()).hasSize(2); // The unreadable record and the silent name.
  }

  @Test
  void dns4AndDns6AndDns_resolveToTheirFamilies() throws Exception {
    byte[] v6 = new byte[16];
    v6[15] = 1;
    dns.ip(
        "host.test",
        InetAddress.getByAddress(new byte[] {127, 0, 0, 9}),
        InetAddress.getByAddress(v6));
    assertThat(texts(resolve("/dns4/host.test/tcp/4001/p2p/" + a)))
        .containsExactly("/ip4/127.0.0.9/tcp/4001/p2p/" + a);
    assertThat(texts(resolve("/dns6/host.test/tcp/4001/p2p/" + a)))
        .containsExactly("/ip6/::1/tcp/4001/p2p/" + a);
    assertThat(texts(resolve("/dns/host.test/tcp/4001/p2p/" + a)))
        .containsExactlyInAnyOrder(
            "/ip4/127.0.0.9/tcp/4001/p2p/" + a, "/ip6/::1/tcp/4001/p2p/" + a);
    dns.txt("_dnsaddr.via.test", "dnsaddr=/dns4/host.test/tcp/7/p2p/" + b);
    assertThat(texts(resolve("/dnsaddr/via.test")))
        .containsExactly("/ip4/127.0.0.9/tcp/7/p2p/" + b);
  }

  @Test
  void longTxtRecord_ofSeveralStrings_isJoined() throws Exception {
    assertThat(NettyDnsLookup.texts(List.of(new byte[] {3, 'a', 'b', 'c', 2, 'd', 'e'})))
        .containsExactly("abcde");
    // A record over 255 bytes: the server sends it as two character-strings.
    String label = "l".repeat(60);
    String longName = label + "1." + label + "2." + label + "3.test";
    String record = "dnsaddr=/dnsaddr/" + longName + "/p2p/" + a;
    assertThat(record.length()).isGreaterThan(255);
    dns.txt("_dnsaddr.long.test", record)
        .txt("_dnsaddr." + longName, "dnsaddr=/ip4/127.0.0.7/tcp/7/p2p/" + a);
    assertThat(texts(resolve("/dnsaddr/long.test")))
        .containsExactly("/ip4/127.0.0.7/tcp/7/p2p/" + a);
  }
}
