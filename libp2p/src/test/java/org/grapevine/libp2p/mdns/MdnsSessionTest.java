package org.grapevine.libp2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * Two or three sessions on a simulated multicast group: every packet reaches everyone, the sender
 * included.
 */
class MdnsSessionTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final DnsName SERVICE = DnsName.of(MdnsConfig.SERVICE_NAME);

  private static PeerId peer(int seed) {
    return PeerId.fromPubKey(PrivKey.fromSeed(seed(seed)).publicKey());
  }

  private static byte[] seed(int n) {
    byte[] s = new byte[32];
    s[0] = (byte) n;
    return s;
  }

  private static Multiaddr addr(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static MdnsSession session(int seed, long now) {
    return new MdnsSession(MdnsConfig.DEFAULT, peer(seed), new SplittableRandom(seed), now);
  }

  /** Delivers every queued packet of every session to all of them until none is left. */
  private static List<byte[]> flood(List<MdnsSession> group, long now) {
    List<byte[]> sent = new ArrayList<>();
    boolean any = true;
    while (any) {
      any = false;
      for (MdnsSession from : group) {
        for (Optional<byte[]> p = from.pollOutbound(); p.isPresent(); p = from.pollOutbound()) {
          any = true;
          sent.add(p.get());
          for (MdnsSession to : group) {
            to.handleDatagram(Unpooled.wrappedBuffer(p.get()), now);
          }
        }
      }
    }
    return sent;
  }

  private static List<MdnsEvent> events(MdnsSession s) {
    List<MdnsEvent> out = new ArrayList<>();
    for (Optional<MdnsEvent> e = s.pollEvent(); e.isPresent(); e = s.pollEvent()) {
      out.add(e.get());
    }
    return out;
  }

  @Test
  void constructor_peerName_randomLowercaseAlnumOf32To63() {
    for (int seed = 0; seed < 50; seed++) {
      assertThat(session(seed, 0).peerName()).matches("[a-z0-9]{32,63}");
    }
    assertThat(session(7, 0).peerName()).isEqualTo(session(7, 0).peerName());
  }

  @Test
  void handleTimeout_firstQueryWithin20To120ms_thenEveryInterval() throws Exception {
    MdnsSession s = session(1, 0);
    long first = s.pollTimeout().getAsLong();
    assertThat(first).isBetween(20 * MS, 120 * MS);

    s.handleTimeout(first - 1);
    assertThat(s.pollOutbound()).isEmpty();
    s.handleTimeout(first);
    DnsMessage q = DnsMessageCodec.decode(Unpooled.wrappedBuffer(s.pollOutbound().orElseThrow()));

    assertThat(q.isResponse()).isFalse();
    assertThat(q.questions()).containsExactly(DnsQuestion.of(SERVICE, DnsRecord.TYPE_PTR));
    assertThat(s.pollTimeout().getAsLong()).isEqualTo(first + 10 * S);
  }

  @Test
  void query_twoPeers_eachDiscoversTheOther_andNeitherItself() throws Exception {
    MdnsSession a = session(1, 0);
    MdnsSession b = session(2, 0);
    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/4001"), addr("/ip6/fe80::1/tcp/4001")), 0);
    b.setListenAddrs(List.of(addr("/ip4/10.0.0.2/tcp/4002")), 0);
    flood(List.of(a, b), 0); // The announcements.
    events(a);
    events(b);

    a.handleTimeout(
        2 * S); // Past the first deadline, and a second after the announcements (answers are
    // rate-limited).
    flood(List.of(a, b), 2 * S);

    assertThat(events(a))
        .containsExactly(
            new MdnsEvent.PeerDiscovered(
                peer(2), List.of(addr("/ip4/10.0.0.2/tcp/4002/p2p/" + peer(2)))));
    assertThat(events(b))
        .containsExactly(
            new MdnsEvent.PeerDiscovered(
                peer(1),
                List.of(
                    addr("/ip4/10.0.0.1/tcp/4001/p2p/" + peer(1)),
                    addr("/ip6/fe80::1/tcp/4001/p2p/" + peer(1)))));
  }

  @Test
  void setListenAddrs_announcesAtOnce_andOnlyOnChange() {
    MdnsSession a = session(1, 0);
    MdnsSession b = session(2, 0);
    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/1")), 0);
    assertThat(flood(List.of(a, b), 0)).hasSize(1);
    assertThat(events(b)).hasSize(1);

    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/1")), 5 * S);
    assertThat(a.pollOutbound()).isEmpty();
  }

  @Test
  void response_isPtrAnswerWithTxtAdditional_perSpec() throws Exception {
    MdnsSession a = session(1, 0);
    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/4001")), 0);

    DnsMessage r = DnsMessageCodec.decode(Unpooled.wrappedBuffer(a.pollOutbound().orElseThrow()));

    assertThat(r.isResponse()).isTrue();
    assertThat(r.flags()).isEqualTo(DnsMessage.FLAG_QR | DnsMessage.FLAG_AA);
    DnsName instance = SERVICE.prepend(a.peerName());
    assertThat(r.answers()).containsExactly(new DnsRecord.Ptr(SERVICE, 120, instance));
    DnsRecord.Txt txt = (DnsRecord.Txt) r.additionals().get(0);
    assertThat(txt.name()).isEqualTo(instance);
    assertThat(txt.texts()).containsExactly("dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/" + peer(1));
  }

  @Test
  void query_ownQuery_isAnswered_butOwnAnswerIsNotAnEvent() {
    MdnsSession a = session(1, 0);
    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/1")), 0);
    flood(List.of(a), 0);

    a.handleTimeout(2 * S);
    List<byte[]> sent = flood(List.of(a), 2 * S);

    assertThat(sent).hasSize(2); // Our query and our answer to it.
    assertThat(events(a)).isEmpty();
  }

  @Test
  void query_manyAskersWithinOneSecond_answeredOnce() {
    MdnsSession a = session(1, 0);
    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/1")), 0);
    a.pollOutbound();
    byte[] query =
        DnsMessageCodec.encode(
            DnsMessage.query(List.of(DnsQuestion.of(SERVICE, DnsRecord.TYPE_PTR))));

    a.handleDatagram(Unpooled.wrappedBuffer(query), 500 * MS);
    assertThat(a.pollOutbound()).isEmpty(); // 0.5 s after the announcement.
    a.handleDatagram(Unpooled.wrappedBuffer(query), 1_000 * MS);
    assertThat(a.pollOutbound()).isPresent();
    a.handleDatagram(Unpooled.wrappedBuffer(query), 1_999 * MS);
    assertThat(a.pollOutbound()).isEmpty();
  }

  @Test
  void query_withOurAnswerAsKnownAnswer_isNotAnswered() {
    MdnsSession a = session(1, 0);
    a.setListenAddrs(List.of(addr("/ip4/10.0.0.1/tcp/1")), 0);
    a.pollOutbound();
    DnsRecord known = new DnsRecord.Ptr(SERVICE, 100, SERVICE.prepend(a.peerName()));
    byte[] query =
        DnsMessageCodec.encode(
            new DnsMessage(
                0,
                0,
                List.of(DnsQuestion.of(SERVICE, DnsRecord.TYPE_PTR)),
                List.of(known),
                List.of(),
                List.of()));

    a.handleDatagram(Unpooled.wrappedBuffer(query), 5 * S);

    assertThat(a.pollOutbound()).isEmpty();
  }

  @Test
  void query_beforeAnyAddress_isNotAnswered() {
    MdnsSession a = session(1, 0);
    byte[] query =
        DnsMessageCodec.encode(
            DnsMessage.query(List.of(DnsQuestion.of(SERVICE, DnsRecord.TYPE_PTR))));

    a.handleDatagram(Unpooled.wrappedBuffer(query), 5 * S);

    assertThat(a.pollOutbound()).isEmpty();
  }

  @Test
  void query_dnsSdMeta_answeredWithTheService() throws Exception {
    MdnsSession a = session(1, 0);
    byte[] query =
        DnsMessageCodec.encode(
            DnsMessage.query(
                List.of(DnsQuestion.of(MdnsSession.SERVICES_META, DnsRecord.TYPE_PTR))));

    a.handleDatagram(Unpooled.wrappedBuffer(query), 0);

    DnsMessage r = DnsMessageCodec.decode(Unpooled.wrappedBuffer(a.pollOutbound().orElseThrow()));
    assertThat(r.answers())
        .containsExactly(new DnsRecord.Ptr(MdnsSession.SERVICES_META, 120, SERVICE));
  }

  @Test
  void response_jsStyleTxtInAnswers_otherServicesAndBadAddresses_handled() throws Exception {
    MdnsSession a = session(1, 0);
    DnsName js = SERVICE.prepend("jspeer");
    DnsMessage r =
        DnsMessage.response(
            List.of(
                new DnsRecord.Ptr(SERVICE, 120, js),
                DnsRecord.Txt.ofText(
                    js,
                    120,
                    List.of(
                        "dnsaddr=/ip4/192.168.1.5/tcp/9/p2p/" + peer(3),
                        "dnsaddr=not a multiaddr",
                        "dnsaddr=/ip4/192.168.1.5/tcp/10",
                        "other=x",
                        "dnsaddr=/ip4/192.168.1.5/tcp/11/p2p/" + peer(1))),
                new DnsRecord.Ptr(
                    DnsName.of("_http._tcp.local"), 120, DnsName.of("web._http._tcp.local")),
                new DnsRecord.Address(
                    DnsName.of("web.local"), 120, InetAddress.getByName("192.168.1.6"))),
            List.of());

    a.handleDatagram(Unpooled.wrappedBuffer(DnsMessageCodec.encode(r)), 0);

    assertThat(events(a))
        .containsExactly(
            new MdnsEvent.PeerDiscovered(
                peer(3),
                List.of(
                    addr(
                        "/ip4/192.168.1.5/tcp/9/p2p/"
                            + peer(3))))); // Our own id and id-less addresses dropped.
  }

  @Test
  void response_goodbyeWithTtlZero_isNotADiscovery() {
    MdnsSession a = session(1, 0);
    DnsName other = SERVICE.prepend("gone");
    DnsMessage r =
        DnsMessage.response(
            List.of(new DnsRecord.Ptr(SERVICE, 0, other)),
            List.of(
                DnsRecord.Txt.ofText(
                    other, 0, List.of("dnsaddr=/ip4/10.0.0.9/tcp/9/p2p/" + peer(3)))));

    a.handleDatagram(Unpooled.wrappedBuffer(DnsMessageCodec.encode(r)), 0);

    assertThat(events(a)).isEmpty();
  }

  @Test
  void handleDatagram_garbage_malformedEventAndCount() {
    MdnsSession a = session(1, 0);

    a.handleDatagram(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), 0);

    assertThat(events(a)).singleElement().isInstanceOf(MdnsEvent.MalformedPacket.class);
    assertThat(a.malformedPackets()).isEqualTo(1);
    assertThat(a.pollOutbound()).isEmpty();
  }

  @Test
  void setListenAddrs_tooManyOrTooLong_bounded() throws Exception {
    MdnsSession a = session(1, 0);
    List<Multiaddr> addrs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      addrs.add(addr("/ip4/10.0.0." + i + "/tcp/1"));
    }
    addrs.add(0, addr("/dns4/" + "x".repeat(200) + ".example/tcp/1"));

    a.setListenAddrs(addrs, 0);

    DnsMessage r = DnsMessageCodec.decode(Unpooled.wrappedBuffer(a.pollOutbound().orElseThrow()));
    List<String> texts = ((DnsRecord.Txt) r.additionals().get(0)).texts();
    assertThat(texts).hasSize(16).allMatch(t -> t.startsWith("dnsaddr=/ip4/10.0.0."));
  }

  @SuppressWarnings("AddressSelection") // literal addresses: parsed, never looked up
  @Test
  void expandWildcards_keepsLoopbackAndOrder_dropsPeerIdsAndDuplicates() throws Exception {
    List<InetAddress> ifaces =
        List.of(
            InetAddress.getByName("127.0.0.1"),
            InetAddress.getByName("10.1.0.1"),
            InetAddress.getByName("fd00::2"));
    assertThat(
            MdnsAddresses.expandWildcards(
                List.of(addr("/ip4/0.0.0.0/tcp/5"), addr("/ip4/10.1.0.1/tcp/5")), ifaces))
        .containsExactly(addr("/ip4/127.0.0.1/tcp/5"), addr("/ip4/10.1.0.1/tcp/5"));
    assertThat(MdnsAddresses.expandWildcards(List.of(addr("/ip6/::/tcp/6")), ifaces))
        .containsExactly(
            addr("/ip4/127.0.0.1/tcp/6"), addr("/ip4/10.1.0.1/tcp/6"), addr("/ip6/fd00::2/tcp/6"));
  }

  @Test
  void announceable_wildcardExpanded_loopbackDroppedWhenOthersExist() throws Exception {
    List<InetAddress> ifaces =
        List.of(InetAddress.getByName("10.1.0.1"), InetAddress.getByName("192.168.0.7"));

    assertThat(
            MdnsAddresses.announceable(
                List.of(addr("/ip4/0.0.0.0/tcp/5"), addr("/ip4/127.0.0.1/tcp/6")), ifaces))
        .containsExactly(addr("/ip4/10.1.0.1/tcp/5"), addr("/ip4/192.168.0.7/tcp/5"));
    assertThat(MdnsAddresses.announceable(List.of(addr("/ip4/127.0.0.1/tcp/6")), ifaces))
        .containsExactly(addr("/ip4/127.0.0.1/tcp/6"));
    assertThat(MdnsAddresses.announceable(List.of(addr("/ip6/::/tcp/7")), ifaces))
        .containsExactly(addr("/ip4/10.1.0.1/tcp/7"), addr("/ip4/192.168.0.7/tcp/7"));
    assertThat(
            MdnsAddresses.announceable(
                List.of(addr("/ip4/0.0.0.0/tcp/7")), List.of(InetAddress.getByName("fe80::1"))))
        .isEmpty();
  }
}
