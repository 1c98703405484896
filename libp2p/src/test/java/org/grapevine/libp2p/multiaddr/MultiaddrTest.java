package org.grapevine.libp2p.multiaddr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String ED25519_ID = "12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB";
  private static final String ED25519_CID =
      "bafzaajaiaejcaa5ba677htqqxyoxbxiy45f4bglh4tldbg5fbvpr3xegmqjfkmny";
  private static final String SHA256_ID = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";

  /**
   * Text and binary pairs from the multiaddr spec's test feature and the js/go/.NET test suites.
   */
  @ParameterizedTest
  @CsvSource({
    "/ip4/127.0.0.1/tcp/4001, 047f000001060fa1",
    "/ip4/192.0.2.42/tcp/443, 04c000022a0601bb",
    "/ip4/127.0.0.1/udp/1234, 047f000001910204d2",
    "/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321, 047f000001910204d2047f0000010610e1",
    "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095, 29200108a07ac542013ac986fffe317095",
    "/p2p/"
        + SHA256_ID
        + ", a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b",
    "/ip4/104.131.131.82/udp/4001/quic-v1, 046883835291020fa1cd03",
    "/dns4/example.com/tcp/443/wss, 360b6578616d706c652e636f6d0601bbde03",
  })
  void textAndBinary_specVectors_roundTripBothWays(String text, String hex) throws Exception {
    Multiaddr parsed = Multiaddr.parse(text);
    assertThat(HEX.formatHex(parsed.encode())).isEqualTo(hex);
    Multiaddr decoded = Multiaddr.decode(HEX.parseHex(hex));
    assertThat(decoded).hasToString(text).isEqualTo(parsed);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/ip4/0.0.0.0/tcp/0",
        "/ip6/::1/tcp/8080",
        "/ip6/::/udp/4001/quic-v1",
        "/ip6/fe80::1/tcp/1/ws",
        "/dns/example.org/tcp/80/http",
        "/dns6/ipfs.io/tcp/443/tls/ws",
        "/dnsaddr/bootstrap.libp2p.io",
        "/ip4/1.2.3.4/tcp/4001/noise",
        "/ip4/1.2.3.4/udp/1/quic/webtransport",
        "/ip4/1.2.3.4/udp/1/webrtc-direct",
        "/ip4/1.2.3.4/tcp/4001/p2p/" + SHA256_ID + "/p2p-circuit/p2p/" + ED25519_ID,
        "/ip4/1.2.3.4/tcp/4001/p2p/" + SHA256_ID + "/p2p-circuit/webrtc/p2p/" + ED25519_ID,
      })
  void parse_canonicalText_roundTripsThroughBinary(String text) throws Exception {
    Multiaddr ma = Multiaddr.parse(text);
    assertThat(ma).hasToString(text);
    assertThat(Multiaddr.decode(ma.encode())).isEqualTo(ma).hasToString(text);
  }

  @ParameterizedTest
  @CsvSource({
    "/ip6/2001:0DB8:0:0:0:0:0:1/tcp/1, /ip6/2001:db8::1/tcp/1",
    "/ip6/0:0:0:0:0:0:0:1, /ip6/::1",
    "/ipfs/" + SHA256_ID + ", /p2p/" + SHA256_ID,
    "/ip4/127.0.0.1/tcp/4001/p2p/" + ED25519_CID + ", /ip4/127.0.0.1/tcp/4001/p2p/" + ED25519_ID,
    "/ip4/127.0.0.1/tcp/4001/, /ip4/127.0.0.1/tcp/4001",
    "/, /",
  })
  void parse_nonCanonicalText_formatsCanonically(String input, String canonical) throws Exception {
    assertThat(Multiaddr.parse(input)).hasToString(canonical);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "ip4/1.2.3.4",
        "/ip4",
        "/ip4/",
        "/ip4//tcp/1",
        "/ip4/256.0.0.1",
        "/ip4/1.2.3",
        "/ip4/::1",
        "/ip6/1.2.3.4",
        "/ip6/::1%eth0",
        "/ip6/[::1]",
        "/tcp/65536",
        "/tcp/-1",
        "/tcp/0x10",
        "/tcp/123456",
        "/udp/",
        "/dns4",
        "/foo/1",
        "/ip4/1.2.3.4/tcp/1/bogus",
        "/p2p/notapeer",
        "/p2p/12D3KooW0",
        "//ip4/1.2.3.4",
        "/ws/1",
      })
  void parse_invalidText_clearChecked(String text) {
    assertThatThrownBy(() -> Multiaddr.parse(text))
        .isInstanceOf(MultiaddrFormatException.class)
        .hasMessageNotContaining("null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "7f", // unknown code 127
        "047f00", // ip4 truncated
        "06", // tcp without port
        "a503", // p2p with 3 bytes announced, none there
        "a50300ff00", // p2p value that is no peer ID
        "3500", // empty dns name
        "358202", // dns name of 258 bytes announced (limit 256)
        "3503c328ff", // dns name not UTF-8
        "3501" + "2f", // dns name holding '/'
        "ffffffffffffffffffff", // varint longer than 9 bytes
        "8400", // non-minimal varint code
      })
  void decode_invalidBinary_clearChecked(String hex) {
    assertThatThrownBy(() -> Multiaddr.decode(HEX.parseHex(hex)))
        .isInstanceOf(MultiaddrFormatException.class);
  }

  @Test
  void circuitRelay_oneHopWithRelayId_theRelaysPart_elseEmpty() throws Exception {
    String relay =
        "/ip4/203.0.113.2/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    String target = "/p2p/12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X";
    assertThat(Multiaddr.parse(relay + "/p2p-circuit").circuitRelay())
        .contains(Multiaddr.parse(relay));
    assertThat(Multiaddr.parse(relay + "/p2p-circuit" + target).circuitRelay())
        .contains(Multiaddr.parse(relay));
    assertThat(Multiaddr.parse(relay + "/p2p-circuit" + target).isCircuit()).isTrue();
    assertThat(Multiaddr.parse("/ip4/203.0.113.2/tcp/4001/p2p-circuit").circuitRelay())
        .as("no relay peer ID")
        .isEmpty();
    assertThat(
            Multiaddr.parse(relay + "/p2p-circuit" + target + "/p2p-circuit" + target)
                .circuitRelay())
        .as("two hops")
        .isEmpty();
    assertThat(Multiaddr.parse(relay).circuitRelay()).as("not a circuit").isEmpty();
    assertThat(Multiaddr.parse(relay).isCircuit()).isFalse();
  }

  @Test
  void decode_over1KiB_rejected() {
    byte[] many = HEX.parseHex("dd03".repeat(513)); // 513 x /ws = 1026 bytes
    assertThatThrownBy(() -> Multiaddr.decode(many))
        .isInstanceOf(MultiaddrFormatException.class)
        .hasMessageContaining("1024");
  }

  @Test
  void tcpSocketAddress_ipAndTcpOptionallyWithPeer_onlyThoseShapes() throws Exception {
    assertThat(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001").tcpSocketAddress())
        .contains(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 4001));
    assertThat(Multiaddr.parse("/ip6/::1/tcp/80/p2p/" + ED25519_ID).tcpSocketAddress())
        .get()
        .extracting(InetSocketAddress::getPort)
        .isEqualTo(80);
    assertThat(Multiaddr.parse("/dns4/example.com/tcp/1").tcpSocketAddress()).isEmpty();
    assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ws").tcpSocketAddress()).isEmpty();
    assertThat(Multiaddr.parse("/ip4/1.2.3.4/udp/1").tcpSocketAddress()).isEmpty();
  }

  @Test
  void of_socketAddress_roundTripsThroughTcpSocketAddress() throws Exception {
    InetSocketAddress v4 =
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 7}), 65535);
    assertThat(Multiaddr.of(v4)).hasToString("/ip4/10.0.0.7/tcp/65535");
    assertThat(Multiaddr.of(v4).tcpSocketAddress()).contains(v4);
    InetSocketAddress v6 =
        new InetSocketAddress(
            InetAddress.getByAddress(HEX.parseHex("20010db8000000000000000000000001")), 1);
    assertThat(Multiaddr.of(v6)).hasToString("/ip6/2001:db8::1/tcp/1");
    assertThatThrownBy(() -> Multiaddr.of(InetSocketAddress.createUnresolved("example.com", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void peerId_circuitAddress_isTheTargetsAndWithWithoutPeerIdWork() throws Exception {
    Multiaddr circuit =
        Multiaddr.parse(
            "/ip4/1.2.3.4/tcp/4001/p2p/" + SHA256_ID + "/p2p-circuit/p2p/" + ED25519_ID);
    assertThat(circuit.peerId()).contains(PeerId.parse(ED25519_ID));
    assertThat(circuit.withoutPeerId())
        .hasToString("/ip4/1.2.3.4/tcp/4001/p2p/" + SHA256_ID + "/p2p-circuit");
    Multiaddr plain = Multiaddr.parse("/ip4/1.2.3.4/tcp/4001");
    assertThat(plain.peerId()).isEmpty();
    assertThat(plain.withoutPeerId()).isSameAs(plain);
    Multiaddr withPeer = plain.withPeerId(PeerId.parse(ED25519_ID));
    assertThat(withPeer).hasToString("/ip4/1.2.3.4/tcp/4001/p2p/" + ED25519_ID);
    assertThat(withPeer.withPeerId(PeerId.parse(SHA256_ID)))
        .hasToString("/ip4/1.2.3.4/tcp/4001/p2p/" + SHA256_ID);
    assertThat(plain.encapsulate(Multiaddr.parse("/p2p-circuit")))
        .hasToString("/ip4/1.2.3.4/tcp/4001/p2p-circuit");
  }

  @Test
  void components_exposeProtocolsAndValues() throws Exception {
    List<MultiaddrComponent> parts = Multiaddr.parse("/ip4/1.2.3.4/tcp/4001/ws").components();
    assertThat(parts)
        .extracting(MultiaddrComponent::protocol)
        .containsExactly(MultiaddrProtocol.IP4, MultiaddrProtocol.TCP, MultiaddrProtocol.WS);
    assertThat(parts.get(1).value()).containsExactly(0x0f, 0xa1);
    assertThat(parts.get(0).valueText()).isEqualTo("1.2.3.4");
    assertThat(parts.get(2).value()).isEmpty();
  }

  @Property(tries = 3000)
  void decode_randomBytes_checkedErrorOrExactRoundTrip(@ForAll @Size(max = 80) byte[] bytes) {
    assertDecodesCleanly(bytes);
  }

  @Property(tries = 3000)
  void decode_mutatedValidAddress_checkedErrorOrExactRoundTrip(
      @ForAll("validAddresses") byte[] valid,
      @ForAll @IntRange(max = 200) int position,
      @ForAll byte replacement) {
    byte[] mutated = valid.clone();
    mutated[position % mutated.length] = replacement;
    assertDecodesCleanly(mutated);
  }

  @Provide
  Arbitrary<byte[]> validAddresses() {
    return Arbitraries.of(
            "047f000001060fa1",
            "a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b",
            "29200108a07ac542013ac986fffe317095",
            "360b6578616d706c652e636f6d0601bbde03",
            "046883835291020fa1cd03")
        .map(HEX::parseHex);
  }

  private static void assertDecodesCleanly(byte[] bytes) {
    Multiaddr ma;
    try {
      ma = Multiaddr.decode(bytes);
    } catch (MultiaddrFormatException e) {
      return;
    }
    assertThat(ma.encode()).isEqualTo(bytes);
    try {
      assertThat(Multiaddr.parse(ma.toString())).isEqualTo(ma);
    } catch (MultiaddrFormatException e) {
      throw new AssertionError("decoded " + ma + " does not parse back: " + e.getMessage());
    }
  }
}
