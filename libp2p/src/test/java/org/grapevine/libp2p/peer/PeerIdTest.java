package org.grapevine.libp2p.peer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PrivKeyFormatException;
import org.grapevine.libp2p.crypto.RsaTestKeys;
import org.junit.jupiter.api.Test;

class PeerIdTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Seed 00 01 .. 1f; expected values computed with the js-libp2p primitives (libp2p-notes §2). */
  private static final PrivKey KEY =
      PrivKey.fromSeed(
          HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

  @Test
  void fromPubKey_jsVectors_match() {
    assertThat(HEX.formatHex(KEY.publicKey().encode()))
        .isEqualTo("0801122003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
    PeerId id = PeerId.fromPubKey(KEY.publicKey());
    assertThat(HEX.formatHex(id.toBytes())).startsWith("00240801122003a1").endsWith("31b8");
    assertThat(id.toBase58()).isEqualTo("12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB");
    assertThat(id.toCid())
        .isEqualTo("bafzaajaiaejcaa5ba677htqqxyoxbxiy45f4bglh4tldbg5fbvpr3xegmqjfkmny");
  }

  @Test
  void parse_bothTextForms_giveTheSameIdAndItsKey() throws Exception {
    PeerId id = PeerId.fromPubKey(KEY.publicKey());
    assertThat(PeerId.parse(id.toBase58())).isEqualTo(id);
    assertThat(PeerId.parse(id.toCid())).isEqualTo(id);
    assertThat(PeerId.parse(id.toBase58()).pubKey()).contains(KEY.publicKey());
  }

  @Test
  void parse_specSha256Id_acceptedWithoutKey() throws Exception {
    PeerId id = PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
    assertThat(id.pubKey()).isEmpty();
    assertThat(id.toBase58()).isEqualTo("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  }

  @Test
  void parse_specCidAndBase58Examples_sameSha256Id() {
    // libp2p/specs peer-ids/peer-ids.md, "String representation": the same sha256 peer ID twice.
    PeerId cid = PeerId.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
    assertThat(cid).isEqualTo(PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"));
    assertThat(cid.toCid())
        .isEqualTo("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  }

  @Test
  void fromPubKey_rsa_sha256IdThatParsesBackInBothForms() {
    PeerId id = PeerId.fromPubKey(RsaTestKeys.pubKey(RsaTestKeys.shared2048()));
    assertThat(id.toBytes()).hasSize(34).startsWith(0x12, 0x20);
    assertThat(id.toBase58()).startsWith("Qm");
    assertThat(id.toCid()).startsWith("bafzbei");
    assertThat(PeerId.parse(id.toBase58())).isEqualTo(id);
    assertThat(PeerId.parse(id.toCid())).isEqualTo(id);
    assertThat(id.pubKey()).isEmpty();
  }

  @Test
  void parse_aminoBootstrapIds_rsaAndEd25519() {
    for (String rsa :
        new String[] {
          "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
          "QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa",
          "QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb",
          "QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt"
        }) {
      PeerId id = PeerId.parse(rsa);
      assertThat(id.toBase58()).isEqualTo(rsa);
      assertThat(id.pubKey()).isEmpty();
      assertThat(PeerId.parse(id.toCid())).isEqualTo(id);
    }
    assertThat(PeerId.parse("12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8").pubKey())
        .isPresent();
  }

  @Test
  void parse_garbage_clearErrors() {
    assertThatThrownBy(() -> PeerId.parse("hello"))
        .isInstanceOf(PeerIdFormatException.class)
        .hasMessageContaining("not a peer ID");
    assertThatThrownBy(() -> PeerId.parse("12D3KooW0"))
        .isInstanceOf(PeerIdFormatException.class)
        .hasMessageContaining("'0'");
    assertThatThrownBy(() -> PeerId.parse("12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeS"))
        .isInstanceOf(PeerIdFormatException.class);
  }

  @Test
  void privKey_protobufForm_roundTripsAndSigns() throws Exception {
    PrivKey back = PrivKey.decode(KEY.encode());
    assertThat(back.publicKey()).isEqualTo(KEY.publicKey());
    byte[] sig = back.sign("hello".getBytes(UTF_8));
    assertThat(KEY.publicKey().verify("hello".getBytes(UTF_8), sig)).isTrue();
    assertThat(KEY.publicKey().verify("hellO".getBytes(UTF_8), sig)).isFalse();
  }

  @Test
  void privKey_badBytes_localFormatErrorWithAProblem_notAPeersFault() {
    assertThatThrownBy(() -> PrivKey.decode(new byte[] {(byte) 0xff, 0x01}))
        .isInstanceOfSatisfying(
            PrivKeyFormatException.class,
            e -> assertThat(e.problem()).isEqualTo(PrivKeyFormatException.Problem.MALFORMED))
        .isNotInstanceOf(MalformedFrameException.class);
    byte[] truncated = java.util.Arrays.copyOf(KEY.encode(), 36);
    truncated[3] = 32; // data field of 32 bytes: a seed without its public half
    assertThatThrownBy(() -> PrivKey.decode(truncated))
        .isInstanceOfSatisfying(
            PrivKeyFormatException.class,
            e -> assertThat(e.problem()).isEqualTo(PrivKeyFormatException.Problem.BAD_LENGTH));
    byte[] inconsistent = KEY.encode();
    inconsistent[inconsistent.length - 1] ^= 1;
    assertThatThrownBy(() -> PrivKey.decode(inconsistent))
        .isInstanceOfSatisfying(
            PrivKeyFormatException.class,
            e -> assertThat(e.problem()).isEqualTo(PrivKeyFormatException.Problem.INCONSISTENT));
  }

  @Test
  void privKey_specVector_derivesSpecPublicKey() throws Exception {
    // libp2p/specs peer-ids.md Ed25519 test vector.
    PrivKey key =
        PrivKey.decode(
            HEX.parseHex(
                "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
    assertThat(HEX.formatHex(key.publicKey().encode()))
        .isEqualTo("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  }

  @Property(tries = 500)
  void fromBytes_anyBytes_idOrTypedError(@ForAll @Size(max = 60) byte[] bytes) {
    try {
      assertThat(PeerId.fromBytes(bytes).toBytes()).isEqualTo(bytes);
    } catch (MalformedFrameException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 500)
  void parse_anyString_idOrTypedError(@ForAll String text) {
    try {
      PeerId.parse(text);
    } catch (PeerIdFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
