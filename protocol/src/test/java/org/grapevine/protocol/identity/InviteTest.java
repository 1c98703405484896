package org.grapevine.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InviteTest {
  private static final HexFormat HEX = HexFormat.of();

  /** RFC 8032 section 7.1, test 1: a valid Ed25519 public key. */
  private static final byte[] ROOT =
      HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

  /** The libp2p peer id of that key: identity multihash of its protobuf PublicKey. */
  private static final byte[] PEER =
      HEX.parseHex("002408011220d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

  /** /ip4/192.0.2.1/tcp/4001 and /ip6/2001:db8::1/tcp/4001, binary. */
  private static final List<byte[]> ADDRS =
      List.of(
          HEX.parseHex("04c0000201060fa1"),
          HEX.parseHex("2920010db8000000000000000000000001060fa1"));

  /**
   * Frozen: the layout of docs/ARCHITECTURE.md "Invites" (checked against an independent BIP-350
   * encoder). If this changes, invites already handed out stop working: add a version.
   */
  static final String VECTOR =
      "gvi1q8t44xqps2cs4d74f0ld8jtyquaqactj70d2vge94upp568hqag35fsqysyqzy3q6adfsqvzky9t"
          + "042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqyzqycqqqyqgxp7s3g2fqqyxmsqqqqqqqqqqqqqqqqqqpqc86z4mwsma";

  private final Invite invite = Invite.of(Identity.of(ROOT), PEER, ADDRS);

  @Test
  void vector_encodesAndDecodesToTheFrozenString() throws Exception {
    assertThat(invite.toString()).isEqualTo(VECTOR);
    Invite back = Invite.parse(VECTOR);
    assertThat(back).isEqualTo(invite);
    assertThat(back.identity().root().unsafeBytes()).isEqualTo(ROOT);
    assertThat(back.peerId()).isEqualTo(PEER);
    assertThat(back.addrs()).hasSize(2);
    assertThat(back.addrs().get(1)).isEqualTo(ADDRS.get(1));
  }

  @Test
  void parse_uppercaseAndWhitespace_accepted() throws Exception {
    assertThat(Invite.parse("  " + VECTOR.toUpperCase(Locale.ROOT) + "\n")).isEqualTo(invite);
  }

  @Test
  void identityAndInvite_areNeverTakenForEachOther() {
    String identity = Identity.of(ROOT).toString();
    assertThat(problem(identity)).isEqualTo(InviteFormatException.Problem.WRONG_PREFIX);
    assertThatThrownBy(() -> Identity.parse(VECTOR)).isInstanceOf(IdentityFormatException.class);
  }

  @Test
  void parse_everySingleCharacterSubstitution_isDetected() {
    int tried = 0;
    for (int pos = 4; pos < VECTOR.length(); pos++) {
      for (char c : Bech32m.CHARSET.toCharArray()) {
        if (c != VECTOR.charAt(pos)) {
          String typo = VECTOR.substring(0, pos) + c + VECTOR.substring(pos + 1);
          assertThatThrownBy(() -> Invite.parse(typo))
              .as(typo)
              .isInstanceOf(InviteFormatException.class);
          tried++;
        }
      }
    }
    assertThat(tried).isEqualTo((VECTOR.length() - 4) * 31);
  }

  @Test
  void parse_badInput_saysWhatIsWrong() {
    assertThat(problem("")).isEqualTo(InviteFormatException.Problem.EMPTY);
    assertThat(problem("gvi1" + "q".repeat(Invite.MAX_STRING_LENGTH)))
        .isEqualTo(InviteFormatException.Problem.TOO_LONG);
    assertThat(problem("gvi1Qq")).isEqualTo(InviteFormatException.Problem.MIXED_CASE);
    assertThat(problem(VECTOR.substring(0, VECTOR.length() - 1)))
        .isEqualTo(InviteFormatException.Problem.BAD_CHECKSUM);
    assertThat(problem(VECTOR.replace('q', 'b')))
        .isEqualTo(InviteFormatException.Problem.INVALID_CHARACTER);
    InviteFormatException e =
        catchThrowableOfType(InviteFormatException.class, () -> Invite.parse(VECTOR + "x"));
    assertThat(e.getMessage()).startsWith("not a Grapevine invite: ").doesNotContain("identity");
  }

  @Test
  void parse_payloadProblems_eachNamed() {
    byte[] ok = payload(1, ROOT, PEER, ADDRS);
    assertThat(problem(Bech32m.encode("gvi", ok))).isNull();
    assertThat(problem(Bech32m.encode("gvi", payload(2, ROOT, PEER, ADDRS))))
        .isEqualTo(InviteFormatException.Problem.UNKNOWN_VERSION);
    assertThat(problem(Bech32m.encode("gvi", java.util.Arrays.copyOf(ok, ok.length - 1))))
        .isEqualTo(InviteFormatException.Problem.TRUNCATED);
    assertThat(problem(Bech32m.encode("gvi", java.util.Arrays.copyOf(ok, ok.length + 1))))
        .isEqualTo(InviteFormatException.Problem.WRONG_LENGTH);
    assertThat(problem(Bech32m.encode("gvi", payload(1, ROOT, PEER, List.of()))))
        .isEqualTo(InviteFormatException.Problem.OUT_OF_BOUNDS);
    List<byte[]> nine = new ArrayList<>(Collections.nCopies(9, ADDRS.get(0)));
    assertThat(problem(Bech32m.encode("gvi", payload(1, ROOT, PEER, nine))))
        .isEqualTo(InviteFormatException.Problem.OUT_OF_BOUNDS);
    assertThat(problem(Bech32m.encode("gvi", payload(1, ROOT, new byte[65], ADDRS))))
        .isEqualTo(InviteFormatException.Problem.OUT_OF_BOUNDS);
    assertThat(problem(Bech32m.encode("gvi", payload(1, ROOT, PEER, List.of(new byte[65])))))
        .isEqualTo(InviteFormatException.Problem.OUT_OF_BOUNDS);
    byte[] notAKey = new byte[32];
    notAKey[0] = 2; // y = 2 is not on the curve.
    assertThat(problem(Bech32m.encode("gvi", payload(1, notAKey, PEER, ADDRS))))
        .isEqualTo(InviteFormatException.Problem.NOT_A_PUBLIC_KEY);
  }

  @Test
  void of_outOfBounds_refused() {
    Identity id = Identity.of(ROOT);
    assertThatThrownBy(() -> Invite.of(id, PEER, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Invite.of(id, new byte[0], ADDRS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Invite.of(id, PEER, List.of(new byte[Invite.MAX_ADDR_BYTES + 1])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> Invite.of(id, PEER, Collections.nCopies(Invite.MAX_ADDRS + 1, ADDRS.get(0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void largestInvite_fitsTheStringBound() throws Exception {
    Invite big =
        Invite.of(
            Identity.of(ROOT),
            new byte[Invite.MAX_PEER_ID_BYTES],
            Collections.nCopies(Invite.MAX_ADDRS, new byte[Invite.MAX_ADDR_BYTES]));
    assertThat(big.toString()).hasSize(Invite.MAX_STRING_LENGTH);
    assertThat(Invite.parse(big.toString())).isEqualTo(big);
  }

  @Property(tries = 300)
  void roundTrip_anyBoundedInvite(
      @ForAll @Size(min = 1, max = 64) byte[] peer, @ForAll("addrLists") List<byte[]> addrs)
      throws Exception {
    Invite i = Invite.of(Identity.of(ROOT), peer, addrs);
    assertThat(Invite.parse(i.toString())).isEqualTo(i);
  }

  /** Fuzz: any checksummed payload decodes or fails with a typed problem, never anything else. */
  @Property(tries = 3000)
  void parse_arbitraryPayload_decodesOrNamesAProblem(@ForAll @Size(max = 700) byte[] payload) {
    problem(Bech32m.encode("gvi", payload));
  }

  /** Fuzz: arbitrary text in the invite alphabet, valid payload prefix or not. */
  @Property(tries = 3000)
  void parse_arbitraryText_decodesOrNamesAProblem(@ForAll("texts") String text) {
    problem(text);
  }

  @Provide
  Arbitrary<List<byte[]>> addrLists() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofMinSize(1)
        .ofMaxSize(Invite.MAX_ADDR_BYTES)
        .list()
        .ofMinSize(1)
        .ofMaxSize(Invite.MAX_ADDRS);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings()
        .withChars(Bech32m.CHARSET + "1GVI")
        .ofMaxLength(Invite.MAX_STRING_LENGTH + 2)
        .map(s -> "gvi1" + s);
  }

  /** The problem parsing {@code text} names, or null if it parsed. */
  private static InviteFormatException.Problem problem(String text) {
    try {
      Invite.parse(text);
      return null;
    } catch (InviteFormatException e) {
      assertThat(e.getMessage()).startsWith("not a Grapevine invite: ");
      return e.problem();
    }
  }

  private static byte[] payload(int version, byte[] key, byte[] peer, List<byte[]> addrs) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(version);
    out.writeBytes(key);
    out.write(peer.length);
    out.writeBytes(peer);
    out.write(addrs.size());
    for (byte[] a : addrs) {
      out.write(a.length);
      out.writeBytes(a);
    }
    return out.toByteArray();
  }
}
