package org.grapevine.libp2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.MalformedFrameException;
import org.junit.jupiter.api.Test;

/**
 * The DNS codec byte by byte against RFC 1035 §4.1 layouts built by hand, its limits, and fuzzing.
 */
class DnsMessageCodecTest {
  private static final DnsName SERVICE = DnsName.of("_p2p._udp.local");

  /** Bytes written out by hand, so that expectations do not come from the codec under test. */
  private static final class Bytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes u8(int... values) {
      for (int v : values) {
        out.write(v);
      }
      return this;
    }

    Bytes u16(int v) {
      return u8(v >>> 8, v & 0xFF);
    }

    Bytes u32(long v) {
      return u16((int) (v >>> 16)).u16((int) (v & 0xFFFF));
    }

    Bytes label(String s) {
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      out.write(b.length);
      out.writeBytes(b);
      return this;
    }

    Bytes name(String dotted) {
      for (String l : dotted.split("\\.", -1)) {
        label(l);
      }
      return u8(0);
    }

    int size() {
      return out.size();
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private static DnsMessage decode(byte[] bytes) throws MalformedFrameException {
    return DnsMessageCodec.decode(Unpooled.wrappedBuffer(bytes));
  }

  @Test
  void decode_handBuiltResponseWithCompression_readsEveryField() throws Exception {
    Bytes p = new Bytes();
    p.u16(0).u16(0x8400).u16(0).u16(1).u16(0).u16(2); // id, QR|AA, qd 0, an 1, ns 0, ar 2
    assertThat(p.size()).isEqualTo(12);
    p.name("_p2p._udp.local"); // offset 12; "local" label at 22
    p.u16(12).u16(1).u32(120).u16(6); // PTR IN ttl 120, rdlength 6
    int instanceAt = p.size(); // 39
    p.label("abc").u8(0xC0, 12); // abc + pointer to offset 12
    p.u8(0xC0, instanceAt).u16(16).u16(0x8001).u32(120).u16(5); // TXT, cache-flush IN
    p.label("a=1").u8(0); // "a=1" and ""
    p.label("host").u8(0xC0, 22).u16(1).u16(0x8001).u32(4500).u16(4).u8(10, 0, 0, 1);

    DnsMessage m = decode(p.bytes());

    assertThat(m.id()).isZero();
    assertThat(m.isResponse()).isTrue();
    assertThat(m.flags() & DnsMessage.FLAG_AA).isNotZero();
    assertThat(m.questions()).isEmpty();
    DnsRecord.Ptr ptr = (DnsRecord.Ptr) m.answers().get(0);
    assertThat(ptr.name().toString()).isEqualTo("_p2p._udp.local");
    assertThat(ptr.target().toString()).isEqualTo("abc._p2p._udp.local");
    assertThat(ptr.ttlSeconds()).isEqualTo(120);
    DnsRecord.Txt txt = (DnsRecord.Txt) m.additionals().get(0);
    assertThat(txt.name().sameAs(DnsName.of("ABC._p2p._udp.local"))).isTrue();
    assertThat(txt.texts()).containsExactly("a=1", "");
    DnsRecord.Address a = (DnsRecord.Address) m.additionals().get(1);
    assertThat(a.name().toString()).isEqualTo("host.local");
    assertThat(a.address()).isEqualTo(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}));
    assertThat(a.ttlSeconds()).isEqualTo(4500);
  }

  @Test
  void encode_query_isTheRfc1035Layout() {
    byte[] bytes =
        DnsMessageCodec.encode(
            DnsMessage.query(List.of(DnsQuestion.of(SERVICE, DnsRecord.TYPE_PTR))));

    byte[] expected =
        new Bytes()
            .u16(0)
            .u16(0)
            .u16(1)
            .u16(0)
            .u16(0)
            .u16(0)
            .name("_p2p._udp.local")
            .u16(12)
            .u16(1)
            .bytes();
    assertThat(bytes).isEqualTo(expected);
  }

  @SuppressWarnings("AddressSelection") // literal addresses: parsed, never looked up
  @Test
  void encode_response_isTheRfc1035LayoutWithCacheFlushOnUniqueRecords() throws Exception {
    DnsName instance = SERVICE.prepend("peer");
    DnsMessage m =
        DnsMessage.response(
            List.of(new DnsRecord.Ptr(SERVICE, 120, instance)),
            List.of(
                DnsRecord.Txt.ofText(instance, 120, List.of("dnsaddr=/x", "k=v")),
                new DnsRecord.Address(DnsName.of("h.local"), 7, InetAddress.getByName("::1"))));

    byte[] expected =
        new Bytes()
            .u16(0)
            .u16(0x8400)
            .u16(0)
            .u16(1)
            .u16(0)
            .u16(2)
            .name("_p2p._udp.local")
            .u16(12)
            .u16(1)
            .u32(120)
            .u16(22)
            .name("peer._p2p._udp.local")
            .name("peer._p2p._udp.local")
            .u16(16)
            .u16(0x8001)
            .u32(120)
            .u16(15)
            .label("dnsaddr=/x")
            .label("k=v")
            .name("h.local")
            .u16(28)
            .u16(0x8001)
            .u32(7)
            .u16(16)
            .u8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
            .bytes();
    assertThat(DnsMessageCodec.encode(m)).isEqualTo(expected);
  }

  @Test
  void decode_questionWithUnicastBit_readsQuAndClass() throws Exception {
    byte[] bytes =
        new Bytes()
            .u16(7)
            .u16(0)
            .u16(1)
            .u16(0)
            .u16(0)
            .u16(0)
            .name("x.local")
            .u16(255)
            .u16(0x8001)
            .bytes();

    DnsQuestion q = decode(bytes).questions().get(0);

    assertThat(q)
        .isEqualTo(
            new DnsQuestion(DnsName.of("x.local"), DnsRecord.TYPE_ANY, DnsRecord.CLASS_IN, true));
    assertThat(
            DnsMessageCodec.encode(
                new DnsMessage(7, 0, List.of(q), List.of(), List.of(), List.of())))
        .isEqualTo(bytes);
  }

  @Test
  void decode_unknownTypeAndOtherClass_keptRaw() throws Exception {
    byte[] bytes =
        new Bytes()
            .u16(0)
            .u16(0x8400)
            .u16(0)
            .u16(2)
            .u16(0)
            .u16(0)
            .name("s.local")
            .u16(33)
            .u16(1)
            .u32(1)
            .u16(3)
            .u8(1, 2, 3)
            .name("c.local")
            .u16(1)
            .u16(3)
            .u32(1)
            .u16(4)
            .u8(1, 2, 3, 4)
            .bytes();

    List<DnsRecord> answers = decode(bytes).answers();

    assertThat(answers.get(0)).isInstanceOf(DnsRecord.Other.class);
    assertThat(answers.get(0).type()).isEqualTo(33);
    assertThat(((DnsRecord.Other) answers.get(0)).rdata()).containsExactly(1, 2, 3);
    assertThat(answers.get(1)).isInstanceOf(DnsRecord.Other.class); // Class CH, not IN.
  }

  private static Bytes header(int qd, int an) {
    return new Bytes().u16(0).u16(0x8400).u16(qd).u16(an).u16(0).u16(0);
  }

  @Test
  void decode_malformed_typedErrors() {
    expectMalformed(new byte[11], "ends inside the header");
    expectMalformed(header(1, 0).u8(0xC0, 12).u16(12).u16(1).bytes(), "does not point backwards");
    expectMalformed(header(1, 0).u8(0xC0, 40).u16(12).u16(1).bytes(), "does not point backwards");
    expectMalformed(header(1, 0).u8(0x41, 0).u16(12).u16(1).bytes(), "label type");
    expectMalformed(header(1, 0).u8(5, 'a', 'b').bytes(), "runs past the end");
    expectMalformed(header(1, 0).u8(0xC0).bytes(), "pointer cut off");
    expectMalformed(header(0, 0).u8(0).bytes(), "after the last DNS record");
    expectMalformed(header(65, 0).bytes(), "65 questions");
    expectMalformed(header(0, 257).bytes(), "257 records");
    expectMalformed(
        header(0, 1).name("a.local").u16(1).u16(1).u32(1).u16(3).u8(1, 2, 3).bytes(),
        "A rdata of 3 bytes");
    expectMalformed(
        header(0, 1).name("a.local").u16(16).u16(1).u32(1).u16(2).u8(5, 'x').bytes(),
        "runs past its rdata");
    expectMalformed(
        header(0, 1).name("a.local").u16(12).u16(1).u32(1).u16(10).name("b.local").u8(0).bytes(),
        "another length");
    expectMalformed(
        header(0, 1).name("a.local").u16(16).u16(1).u32(1).u16(9).u8(1).bytes(),
        "ends inside the rdata");
    expectMalformed(new byte[DnsMessageCodec.MAX_PACKET_BYTES + 1], "exceeds 9000");
  }

  @Test
  void decode_longNameThroughPointerChain_refusedByLength() {
    Bytes p = header(2, 0);
    p.label("a".repeat(63))
        .label("b".repeat(63))
        .label("c".repeat(63))
        .u8(0)
        .u16(1)
        .u16(1); // q1 at 12: 193 bytes
    p.label("d".repeat(63)).u8(0xC0, 12).u16(1).u16(1); // q2: 64 + 193 = 257 > 255
    expectMalformed(p.bytes(), "longer than 255");
  }

  @Test
  void decode_pointerChainGoingBackwards_isFollowed() throws Exception {
    Bytes p = header(3, 0);
    p.name("local").u16(1).u16(1); // 12: local
    int udp = p.size();
    p.label("_udp").u8(0xC0, 12).u16(1).u16(1); // _udp.local
    p.label("_p2p").u8(0xC0, udp).u16(12).u16(1);

    DnsMessage m = decode(p.bytes());

    assertThat(m.questions().get(2).name().sameAs(SERVICE)).isTrue();
  }

  @Test
  void encode_oversizedMessage_isOurBug() {
    List<DnsRecord> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(new DnsRecord.Other(DnsName.of("x.local"), 99, 1, new byte[250]));
    }
    assertThatThrownBy(() -> DnsMessageCodec.encode(DnsMessage.response(many, List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds 9000");
  }

  @Test
  void dnsName_limits_areCallerBugs() {
    assertThatThrownBy(() -> DnsName.of("x".repeat(64) + ".local"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DnsName.of("a..local")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DnsName.of(("x".repeat(63) + ".").repeat(4) + "y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DnsName.of("").labels()).isEmpty();
    assertThat(DnsName.of("A.Local.").sameAs(DnsName.of("a.local"))).isTrue();
  }

  private static void expectMalformed(byte[] bytes, String message) {
    assertThatThrownBy(() -> decode(bytes))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining(message);
  }

  // --- Properties
  // ---------------------------------------------------------------------------------

  @Property(tries = 2000)
  void decode_anyBytes_messageOrTypedError(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      decode(bytes);
    } catch (MalformedFrameException expected) {
      // The one allowed failure.
    }
  }

  @Property(tries = 1000)
  void decode_validPacketWithFlippedBytes_messageOrTypedError(
      @ForAll("messages") DnsMessage m,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 100_000) Integer> positions,
      @ForAll @Size(min = 4, max = 4) byte[] values) {
    byte[] bytes = DnsMessageCodec.encode(m);
    for (int i = 0; i < positions.size(); i++) {
      bytes[positions.get(i) % bytes.length] = values[i];
    }
    try {
      decode(bytes);
    } catch (MalformedFrameException expected) {
      // The one allowed failure.
    }
  }

  @Property(tries = 500)
  void encodeThenDecode_anyMessage_sameMessage(@ForAll("messages") DnsMessage m) throws Exception {
    DnsMessage back = decode(DnsMessageCodec.encode(m));

    assertThat(back.id()).isEqualTo(m.id());
    assertThat(back.flags()).isEqualTo(m.flags());
    assertThat(back.questions()).isEqualTo(m.questions());
    assertThat(describe(back.allRecords())).isEqualTo(describe(m.allRecords()));
  }

  private static List<String> describe(List<DnsRecord> records) {
    List<String> out = new ArrayList<>();
    for (DnsRecord r : records) {
      String data =
          r instanceof DnsRecord.Txt t
              ? t.texts().toString()
              : r instanceof DnsRecord.Other o
                  ? java.util.Arrays.toString(o.rdata())
                  : r.toString();
      out.add(r.name() + " " + r.type() + " " + r.ttlSeconds() + " " + data);
    }
    return out;
  }

  @Provide
  Arbitrary<DnsMessage> messages() {
    Arbitrary<DnsName> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .ofMinLength(1)
            .ofMaxLength(20)
            .list()
            .ofMaxSize(4)
            .map(DnsName::new);
    Arbitrary<Long> ttl = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    Arbitrary<DnsRecord> ptr = Combinators.combine(names, ttl, names).as(DnsRecord.Ptr::new);
    Arbitrary<DnsRecord> txt =
        Combinators.combine(names, ttl, Arbitraries.strings().ofMaxLength(40).list().ofMaxSize(4))
            .as(DnsRecord.Txt::ofText);
    Arbitrary<DnsRecord> a =
        Combinators.combine(names, ttl, Arbitraries.bytes().array(byte[].class).ofSize(4))
            .as((n, t, b) -> new DnsRecord.Address(n, t, address(b)));
    Arbitrary<DnsRecord> other =
        Combinators.combine(
                names,
                Arbitraries.integers().between(100, 200),
                ttl,
                Arbitraries.bytes().array(byte[].class).ofMaxSize(30))
            .as(DnsRecord.Other::new);
    Arbitrary<List<DnsRecord>> section = Arbitraries.oneOf(ptr, txt, a, other).list().ofMaxSize(5);
    Arbitrary<DnsQuestion> question =
        Combinators.combine(
                names,
                Arbitraries.of(1, 12, 16, 28, 255),
                Arbitraries.of(1, 255),
                Arbitraries.of(true, false))
            .as(DnsQuestion::new);
    return Combinators.combine(
            Arbitraries.integers().between(0, 0xFFFF),
            Arbitraries.integers().between(0, 0xFFFF),
            question.list().ofMaxSize(3),
            section,
            section,
            section)
        .as(DnsMessage::new);
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
