package org.grapevine.node.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.libp2p.bitswap.Cid;
import org.junit.jupiter.api.Test;

/**
 * The file layout: round trips, the canonical bytes the spec fixes, and roots a peer may send that
 * we must refuse, each with its code.
 */
class UnixFsFileTest {
  private static byte[] file(int bytes, long seed) {
    byte[] b = new byte[bytes];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /**
   * A root written by ipfs-unixfs-importer 17.1.1 (the importer {@code @helia/unixfs} runs) for the
   * file below, with {@code rawLeaves: true, cidVersion: 1, chunker: fixedSize(1 MiB), layout:
   * balanced()}: printed by a Node.js script outside this repository, copied here as data.
   */
  private static final String HELIA_CID =
      "bafybeihqjqix37onej2p4rwdsrwrepouuwk6zjn7bftkfpabql3aiujs6q";

  private static final String HELIA_ROOT =
      "122c0a24015512201c59b8670027384143781a8a8bff2f3b44bd8818d0f53b13b064c2375a1afe3812001880"
          + "8040122c0a2401551220d50d98efacff4cc59dedce2c1b0add120d2c6264418cc699883fa1fd389ac7a912"
          + "0018808040122c0a2401551220ee5ce4e1e982384eae0b671d1d52dbca6fe6f39e7b932a4703cd623b22e0"
          + "eabe120018808040122b0a24015512209185f799afba56201b737a2b2ef9ccb9cb272ba70a06d9b6879772"
          + "7e13c90310120018d2090a16080218d289c00120808040208080402080804020d209";

  /** 3 MiB + 1234 bytes, byte i = (31 i + 7) mod 251, as the script made it. */
  private static byte[] heliaFile() {
    byte[] f = new byte[3 * UnixFsFile.LEAF_BYTES + 1234];
    for (int i = 0; i < f.length; i++) {
      f[i] = (byte) ((i * 31L + 7) % 251);
    }
    return f;
  }

  @Test
  void layout_sameFileAsHelia_sameRootBytesAndCid() throws Exception {
    FileLayout layout = UnixFsFile.layout(heliaFile());
    assertThat(layout.root().toString()).isEqualTo(HELIA_CID);
    assertThat(HexFormat.of().formatHex(layout.blocks().get(0).data())).isEqualTo(HELIA_ROOT);
  }

  @Test
  void decodeRoot_heliaRoot_leavesAndSizes() throws Exception {
    byte[] node = HexFormat.of().parseHex(HELIA_ROOT);
    assertThat(Cid.sha256(MediaCids.DAG_PB, node).toString()).isEqualTo(HELIA_CID);
    FileRoot root = UnixFsFile.decodeRoot(node);
    assertThat(root.fileBytes()).isEqualTo(3L * UnixFsFile.LEAF_BYTES + 1234);
    assertThat(root.leafBytes())
        .containsExactly(UnixFsFile.LEAF_BYTES, UnixFsFile.LEAF_BYTES, UnixFsFile.LEAF_BYTES, 1234);
    byte[] f = heliaFile();
    assertThat(root.leaves().get(3))
        .isEqualTo(Cid.rawSha256(Arrays.copyOfRange(f, 3 * UnixFsFile.LEAF_BYTES, f.length)));
  }

  @Test
  void layout_smallFile_isOneRawBlockNamedByItsHash() throws Exception {
    byte[] f = file(UnixFsFile.LEAF_BYTES, 1);
    FileLayout layout = UnixFsFile.layout(f);
    assertThat(layout.root()).isEqualTo(Cid.rawSha256(f));
    assertThat(layout.root().codec()).isEqualTo(Cid.RAW);
    assertThat(layout.blocks()).hasSize(1);
    assertThat(layout.blocks().get(0).data()).isEqualTo(f);
  }

  @Test
  void layout_emptyFile_isOneEmptyRawBlock() throws Exception {
    FileLayout layout = UnixFsFile.layout(new byte[0]);
    assertThat(layout.root()).isEqualTo(Cid.rawSha256(new byte[0]));
    assertThat(layout.fileBytes()).isZero();
  }

  @Test
  void layout_largeFile_rootDecodesToItsLeavesInOrder() throws Exception {
    byte[] f = file(2 * UnixFsFile.LEAF_BYTES + 12_345, 2);
    FileLayout layout = UnixFsFile.layout(f);
    assertThat(layout.root().codec()).isEqualTo(MediaCids.DAG_PB);
    MediaBlock root = layout.blocks().get(0);
    assertThat(Cid.sha256(MediaCids.DAG_PB, root.data())).isEqualTo(layout.root());

    FileRoot decoded = UnixFsFile.decodeRoot(root.data());
    assertThat(decoded.fileBytes()).isEqualTo(f.length);
    assertThat(decoded.leafBytes())
        .containsExactly(UnixFsFile.LEAF_BYTES, UnixFsFile.LEAF_BYTES, 12_345);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (Cid leaf : decoded.leaves()) {
      MediaBlock block =
          layout.blocks().stream().filter(b -> b.cid().equals(leaf)).findFirst().orElseThrow();
      assertThat(Cid.rawSha256(block.data())).isEqualTo(leaf);
      joined.writeBytes(block.data());
    }
    assertThat(joined.toByteArray()).isEqualTo(f);
  }

  @Test
  void layout_repeatedChunks_storeTheLeafOnceAndLinkItTwice() throws Exception {
    byte[] f = new byte[2 * UnixFsFile.LEAF_BYTES]; // two equal all-zero chunks
    FileLayout layout = UnixFsFile.layout(f);
    assertThat(layout.blocks()).hasSize(2); // root + one leaf
    FileRoot root = UnixFsFile.decodeRoot(layout.blocks().get(0).data());
    assertThat(root.leaves()).hasSize(2);
    assertThat(root.leaves().get(0)).isEqualTo(root.leaves().get(1));
  }

  /**
   * The root's bytes, field by field, as ipld/specs dag-pb and UNIXFS.md fix them (links before
   * Data, link fields in field order, Name "" written, blocksizes unpacked): what Helia writes.
   */
  @Test
  void layout_rootBytes_areTheCanonicalForm() throws Exception {
    byte[] f = file(UnixFsFile.LEAF_BYTES + 1, 3);
    FileLayout layout = UnixFsFile.layout(f);
    Cid leaf0 = Cid.rawSha256(Arrays.copyOf(f, UnixFsFile.LEAF_BYTES));
    Cid leaf1 = Cid.rawSha256(new byte[] {f[UnixFsFile.LEAF_BYTES]});
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    for (Object[] l : new Object[][] {{leaf0, "8080 40"}, {leaf1, "01"}}) {
      byte[] cid = ((Cid) l[0]).bytes();
      byte[] tsize = HexFormat.of().parseHex(((String) l[1]).replace(" ", ""));
      want.write(0x12); // Links (field 2)
      want.write(2 + cid.length + 2 + 1 + tsize.length);
      want.write(0x0a); // Hash
      want.write(cid.length);
      want.writeBytes(cid);
      want.write(0x12); // Name ""
      want.write(0x00);
      want.write(0x18); // Tsize
      want.writeBytes(tsize);
    }
    byte[] unixfs = HexFormat.of().parseHex("0802" + "1881804" + "0" + "2080804" + "0" + "2001");
    want.write(0x0a); // Data (field 1)
    want.write(unixfs.length);
    want.writeBytes(unixfs);
    assertThat(HexFormat.of().formatHex(layout.blocks().get(0).data()))
        .isEqualTo(HexFormat.of().formatHex(want.toByteArray()));
  }

  @Test
  void decodeRoot_dataBeforeLinks_accepted() throws Exception {
    // "The decoder should accept either order, as IPFS data exists in both forms."
    FileLayout layout = UnixFsFile.layout(file(UnixFsFile.LEAF_BYTES + 10, 4));
    DagPbNode node = DagPbCodec.decode(layout.blocks().get(0).data(), 10);
    ProtoWriter w = new ProtoWriter().bytesField(1, node.data());
    byte[] canonical = DagPbCodec.encode(new DagPbNode(node.links(), null));
    byte[] reordered = concat(w.toByteArray(), canonical);
    assertThat(UnixFsFile.decodeRoot(reordered).fileBytes()).isEqualTo(UnixFsFile.LEAF_BYTES + 10);
  }

  @Test
  void decodeRoot_packedBlocksizesAndModeMtime_accepted() throws Exception {
    Cid leaf = Cid.rawSha256(new byte[] {1, 2, 3});
    byte[] packed = {0x03}; // one packed varint: 3
    byte[] data =
        concat(
            new ProtoWriter().varintField(1, 2).varintField(3, 3).toByteArray(),
            new ProtoWriter().bytesField(4, packed).varintField(7, 0644).toByteArray(),
            new ProtoWriter().bytesField(8, new byte[] {0x08, 0x01}).toByteArray());
    byte[] node =
        DagPbCodec.encode(new DagPbNode(List.of(new DagPbLink(leaf.bytes(), null, null)), data));
    FileRoot root = UnixFsFile.decodeRoot(node);
    assertThat(root.leaves()).containsExactly(leaf);
    assertThat(root.fileBytes()).isEqualTo(3);
  }

  @Test
  void decodeRoot_sizesThatDoNotAddUp_sizeMismatch() {
    Cid leaf = Cid.rawSha256(new byte[] {1});
    byte[] node = root(List.of(link(leaf, 1L)), 2, List.of(1L));
    assertRefused(node, MediaError.SIZE_MISMATCH);
    assertRefused(root(List.of(link(leaf, 5L)), 1, List.of(1L)), MediaError.SIZE_MISMATCH);
    assertRefused(root(List.of(link(leaf, 1L)), 1, List.of()), MediaError.SIZE_MISMATCH);
    assertRefused(
        root(
            List.of(link(leaf, null)),
            UnixFsFile.LEAF_BYTES + 1L,
            List.of(UnixFsFile.LEAF_BYTES + 1L)),
        MediaError.SIZE_MISMATCH);
  }

  @Test
  void decodeRoot_nestedOrNamedOrNonFile_unsupportedLayout() throws Exception {
    Cid inner = Cid.sha256(MediaCids.DAG_PB, new byte[] {1});
    assertRefused(root(List.of(link(inner, 1L)), 1, List.of(1L)), MediaError.UNSUPPORTED_LAYOUT);
    Cid leaf = Cid.rawSha256(new byte[] {1});
    byte[] named =
        DagPbCodec.encode(
            new DagPbNode(
                List.of(new DagPbLink(leaf.bytes(), "a.jpg", 1L)),
                new UnixFsFileData(1, List.of(1L)).encode()));
    assertRefused(named, MediaError.UNSUPPORTED_LAYOUT);
    byte[] directory =
        DagPbCodec.encode(
            new DagPbNode(
                List.of(link(leaf, 1L)), new ProtoWriter().varintField(1, 1).toByteArray()));
    assertRefused(directory, MediaError.UNSUPPORTED_LAYOUT);
    byte[] inline =
        DagPbCodec.encode(
            new DagPbNode(
                List.of(),
                new ProtoWriter().varintField(1, 2).bytesField(2, new byte[] {9}).toByteArray()));
    assertRefused(inline, MediaError.UNSUPPORTED_LAYOUT);
  }

  @Test
  void decodeRoot_tooManyLinksOrTooLarge_nodeTooLarge() {
    Cid leaf = Cid.rawSha256(new byte[] {1});
    List<DagPbLink> links = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i <= UnixFsFile.MAX_LINKS; i++) {
      links.add(link(leaf, 1L));
      sizes.add(1L);
    }
    assertRefused(root(links, sizes.size(), sizes), MediaError.NODE_TOO_LARGE);
    assertRefused(new byte[UnixFsFile.MAX_ROOT_BYTES + 1], MediaError.NODE_TOO_LARGE);
  }

  @Test
  void decodeRoot_strictnessViolations_malformed() {
    Cid leaf = Cid.rawSha256(new byte[] {1});
    byte[] data = new UnixFsFileData(1, List.of(1L)).encode();
    // link fields out of order: Tsize before Hash
    byte[] badLink =
        concat(new ProtoWriter().varintField(3, 1).bytesField(1, leaf.bytes()).toByteArray());
    assertRefused(
        concat(new ProtoWriter().bytesField(2, badLink).bytesField(1, data).toByteArray()),
        MediaError.MALFORMED_NODE);
    // an unknown field in the node
    assertRefused(
        concat(
            DagPbCodec.encode(new DagPbNode(List.of(link(leaf, 1L)), data)), new byte[] {0x18, 1}),
        MediaError.MALFORMED_NODE);
    // Data twice
    assertRefused(
        concat(
            DagPbCodec.encode(new DagPbNode(List.of(link(leaf, 1L)), data)),
            new ProtoWriter().bytesField(1, data).toByteArray()),
        MediaError.MALFORMED_NODE);
    // a link without Hash
    assertRefused(
        new ProtoWriter()
            .bytesField(2, new ProtoWriter().varintField(3, 1).toByteArray())
            .bytesField(1, data)
            .toByteArray(),
        MediaError.MALFORMED_NODE);
    // a length past the end
    assertRefused(new byte[] {0x12, 0x7f, 0x0a}, MediaError.MALFORMED_NODE);
    // a truncated varint
    assertRefused(new byte[] {0x18, (byte) 0x80}, MediaError.MALFORMED_NODE);
  }

  @Test
  void decodeRoot_linkThatIsNotACid_badCid() {
    byte[] node =
        DagPbCodec.encode(
            new DagPbNode(
                List.of(new DagPbLink(new byte[] {1, 0x55, 0x12, 0x20, 7}, "", 1L)),
                new UnixFsFileData(1, List.of(1L)).encode()));
    assertRefused(node, MediaError.BAD_CID);
  }

  @Test
  void dagPbCodec_roundTrip_keepsAbsentAndEmptyApart() throws Exception {
    DagPbNode node =
        new DagPbNode(
            List.of(
                new DagPbLink(new byte[] {1, 2}, null, null),
                new DagPbLink(new byte[] {3}, "", 7L),
                new DagPbLink(new byte[] {4}, "ü", 0L)),
            new byte[0]);
    assertThat(DagPbCodec.decode(DagPbCodec.encode(node), 10)).isEqualTo(node);
    DagPbNode empty = new DagPbNode(List.of(), null);
    assertThat(DagPbCodec.encode(empty)).isEmpty();
    assertThat(DagPbCodec.decode(new byte[0], 10)).isEqualTo(empty);
  }

  @Test
  void mediaCids_attachmentCodecs() throws Exception {
    byte[] digest = Cid.rawSha256(new byte[] {1}).digest();
    assertThat(MediaCids.of(digest, 0)).isEqualTo(Cid.rawSha256(new byte[] {1}));
    assertThat(MediaCids.of(digest, 0x55)).isEqualTo(Cid.rawSha256(new byte[] {1}));
    assertThat(MediaCids.of(digest, 0x70).codec()).isEqualTo(MediaCids.DAG_PB);
    assertThat(MediaCids.of(digest, 0x70).length()).isEqualTo(MediaCids.CID_BYTES);
    assertThatThrownBy(() -> MediaCids.of(digest, 0x71))
        .isInstanceOfSatisfying(
            MediaException.class,
            e -> assertThat(e.code()).isEqualTo(MediaError.UNSUPPORTED_CODEC));
    assertThatThrownBy(() -> MediaCids.of(new byte[31], 0x55))
        .isInstanceOfSatisfying(
            MediaException.class, e -> assertThat(e.code()).isEqualTo(MediaError.BAD_CID));
  }

  private static DagPbLink link(Cid cid, Long tsize) {
    return new DagPbLink(cid.bytes(), "", tsize);
  }

  private static byte[] root(List<DagPbLink> links, long fileBytes, List<Long> sizes) {
    return DagPbCodec.encode(new DagPbNode(links, new UnixFsFileData(fileBytes, sizes).encode()));
  }

  private static void assertRefused(byte[] node, MediaError code) {
    assertThatThrownBy(() -> UnixFsFile.decodeRoot(node))
        .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
