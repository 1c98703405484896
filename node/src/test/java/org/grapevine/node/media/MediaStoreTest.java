package org.grapevine.node.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MediaStore} on real files and a real RocksDB index in a temporary directory. */
class MediaStoreTest {
  private static final Identity ALICE = TestAuthors.person("media-alice").identity;
  private static final Identity BOB = TestAuthors.person("media-bob").identity;

  @TempDir Path dir;

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static EntryId entry(int n) {
    byte[] id = new byte[32];
    id[31] = (byte) n;
    id[30] = (byte) (n >> 8);
    return EntryId.of(id);
  }

  private static void putAll(MediaStore store, FileLayout layout) {
    for (MediaBlock b : layout.blocks()) {
      assertThat(store.putBlock(b.cid(), b.data())).isEqualTo(PutOutcome.STORED);
    }
  }

  @Test
  void putBlock_referencedFile_fetchesRootThenLeavesAndReadsBack() throws Exception {
    byte[] file = bytes(2 * UnixFsFile.LEAF_BYTES + 99, 1);
    FileLayout layout = UnixFsFile.layout(file);
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      assertThat(store.addReference(entry(1), BOB, layout.root(), file.length, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.missing(layout.root())).containsExactly(layout.root());
      MediaBlock root = layout.blocks().get(0);
      assertThat(store.putBlock(root.cid(), root.data())).isEqualTo(PutOutcome.STORED);
      assertThat(store.missing(layout.root())).hasSize(3);
      assertThat(store.open(layout.root())).isEmpty();
      for (MediaBlock leaf : layout.blocks().subList(1, 4)) {
        assertThat(store.putBlock(leaf.cid(), leaf.data())).isEqualTo(PutOutcome.STORED);
      }
      assertThat(store.missing(layout.root())).isEmpty();
      try (InputStream in = store.open(layout.root()).orElseThrow()) {
        assertThat(in.readAllBytes()).isEqualTo(file);
      }
      assertThat(store.readAll(layout.root(), file.length)).contains(file);
      assertThatThrownBy(() -> store.readAll(layout.root(), 1000))
          .isInstanceOfSatisfying(
              MediaException.class, e -> assertThat(e.code()).isEqualTo(MediaError.FILE_TOO_LARGE));
      assertThat(store.get(root.cid()))
          .hasValueSatisfying(d -> assertThat(d).isEqualTo(root.data()));
      assertThat(store.usage().storedBytes()).isEqualTo(file.length + root.data().length);
    }
  }

  @Test
  void names_sweepAndReferencedRoots_keptAcrossARestart_forgottenWithTheirEntry() throws Exception {
    FileLayout a = UnixFsFile.layout(bytes(5000, 10));
    FileLayout b = UnixFsFile.layout(bytes(6000, 11));
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      store.addReference(entry(1), ALICE, a.root(), 5000, MediaOrigin.PEER);
      putAll(store, a);
      store.name(entry(2), BOB, b.root(), 6000); // Named only: no budget, not wanted.
      assertThat(store.putBlock(b.root(), b.blocks().get(0).data())).isEqualTo(PutOutcome.UNWANTED);
    }
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      assertThat(store.named(b.root())).contains(new MediaStore.Named(entry(2), BOB, 6000));
      assertThat(store.author(a.root())).contains(ALICE);
      assertThat(store.fileBytes(a.root())).hasValue(5000);
      assertThat(store.referencedRoots(10)).containsExactly(a.root());
      assertThat(store.referencedRoots(0)).isEmpty();

      // Entry 1 is no longer held, entry 2 is: the sweep takes 1's reference and file only.
      assertThat(store.sweepReferences(id -> id.equals(entry(2)))).isEqualTo(1);
      assertThat(store.referenced(a.root())).isFalse();
      assertThat(store.has(a.root())).isFalse();
      assertThat(store.usage().storedBytes()).isZero();
      assertThat(store.named(b.root())).isPresent();
      assertThat(store.unname(entry(2))).isEqualTo(1);
      assertThat(store.named(b.root())).isEmpty();
    }
  }

  @Test
  void putBlock_badBlocks_refusedWithTheirOutcome() throws Exception {
    byte[] small = bytes(5000, 2);
    Cid cid = Cid.rawSha256(small);
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      assertThat(store.putBlock(cid, small)).isEqualTo(PutOutcome.UNWANTED);
      store.addReference(entry(1), BOB, cid, small.length, MediaOrigin.PEER);
      byte[] tampered = small.clone();
      tampered[0] ^= 1;
      assertThat(store.putBlock(cid, tampered)).isEqualTo(PutOutcome.HASH_MISMATCH);
      assertThat(store.putBlock(cid, new byte[UnixFsFile.LEAF_BYTES + 1]))
          .isEqualTo(PutOutcome.TOO_LARGE);
      assertThat(store.has(cid)).isFalse();
      assertThat(store.putBlock(cid, small)).isEqualTo(PutOutcome.STORED);
      assertThat(store.putBlock(cid, small)).isEqualTo(PutOutcome.DUPLICATE);
      assertThat(store.usage().puts())
          .containsEntry(PutOutcome.HASH_MISMATCH, 1L)
          .containsEntry(PutOutcome.UNWANTED, 1L);

      // a raw file whose declared size is not its size
      byte[] other = bytes(100, 3);
      store.addReference(entry(2), BOB, Cid.rawSha256(other), 99, MediaOrigin.PEER);
      assertThat(store.putBlock(Cid.rawSha256(other), other)).isEqualTo(PutOutcome.SIZE_MISMATCH);

      // a dag-pb root that declares another size
      FileLayout big = UnixFsFile.layout(bytes(UnixFsFile.LEAF_BYTES + 1, 4));
      store.addReference(entry(3), BOB, big.root(), UnixFsFile.LEAF_BYTES + 2, MediaOrigin.PEER);
      MediaBlock root = big.blocks().get(0);
      assertThat(store.putBlock(root.cid(), root.data())).isEqualTo(PutOutcome.SIZE_MISMATCH);

      // a dag-pb block that hashes right but is no file root
      byte[] junk = {0x0a, 0x01, 0x08};
      Cid junkCid = Cid.sha256(MediaCids.DAG_PB, junk);
      store.addReference(entry(4), BOB, junkCid, 5, MediaOrigin.PEER);
      assertThat(store.putBlock(junkCid, junk)).isEqualTo(PutOutcome.BAD_ROOT);
    }
  }

  @Test
  void putBlock_leafThatAPostNamesWithAWrongSize_stillStoredForTheFileThatNeedsIt()
      throws Exception {
    byte[] chunk = bytes(UnixFsFile.LEAF_BYTES, 30);
    Cid leaf = Cid.rawSha256(chunk);
    byte[] file = concat(chunk, bytes(3, 31));
    FileLayout layout = UnixFsFile.layout(file);
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      store.addReference(entry(1), ALICE, layout.root(), file.length, MediaOrigin.PEER);
      MediaBlock root = layout.blocks().get(0);
      store.putBlock(root.cid(), root.data());
      // a grief: a post naming the leaf as a one-block file of another size
      assertThat(store.addReference(entry(2), BOB, leaf, 5, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.putBlock(leaf, chunk)).isEqualTo(PutOutcome.STORED);
      assertThat(store.putBlock(layout.blocks().get(2).cid(), layout.blocks().get(2).data()))
          .isEqualTo(PutOutcome.STORED);
      assertThat(store.open(layout.root()).orElseThrow().readAllBytes()).isEqualTo(file);
      // once a leaf is held, a post naming it with a wrong size is refused at once
      assertThat(
              store.addReference(entry(3), BOB, layout.blocks().get(2).cid(), 6, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.REFUSED_BAD_SIZE);
    }
  }

  @Test
  void removeReferences_lastReferenceGone_deletesBlocksButKeepsSharedOnes() throws Exception {
    byte[] chunk = bytes(UnixFsFile.LEAF_BYTES, 5);
    byte[] fileA = concat(chunk, bytes(10, 6)); // shares its first leaf with file B
    byte[] fileB = concat(chunk, bytes(20, 7));
    FileLayout a = UnixFsFile.layout(fileA);
    FileLayout b = UnixFsFile.layout(fileB);
    Cid shared = Cid.rawSha256(chunk);
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      store.addReference(entry(1), BOB, a.root(), fileA.length, MediaOrigin.PEER);
      store.addReference(entry(2), ALICE, a.root(), fileA.length, MediaOrigin.PEER);
      store.addReference(entry(3), BOB, b.root(), fileB.length, MediaOrigin.PEER);
      putAll(store, a);
      MediaBlock rootB = b.blocks().get(0);
      store.putBlock(rootB.cid(), rootB.data());
      assertThat(store.missing(b.root())).hasSize(1); // the shared leaf is already held
      for (MediaBlock blk : b.blocks()) {
        store.putBlock(blk.cid(), blk.data());
      }
      long stored = store.usage().storedBytes();
      assertThat(stored)
          .isEqualTo(
              chunk.length + 10 + 20 + a.blocks().get(0).data().length + rootB.data().length);
      assertThat(store.usage().referencedBytes()).isEqualTo(fileA.length + fileB.length);

      assertThat(store.removeReferences(entry(1))).isEqualTo(1);
      assertThat(store.has(a.root())).isTrue(); // alice's entry still refers to A
      assertThat(store.authorBytes(BOB)).isEqualTo(fileB.length);
      assertThat(store.removeReferences(entry(2))).isEqualTo(1);
      assertThat(store.has(a.root())).isFalse();
      assertThat(store.has(a.blocks().get(2).cid())).isFalse(); // A's own last leaf
      assertThat(store.has(shared)).isTrue(); // still in B
      assertThat(store.open(b.root()).orElseThrow().readAllBytes()).isEqualTo(fileB);
      assertThat(store.removeReferences(entry(3))).isEqualTo(1);
      assertThat(store.has(shared)).isFalse();
      assertThat(store.usage().storedBytes()).isZero();
      assertThat(store.usage().storedBlocks()).isZero();
      assertThat(store.usage().referencedBytes()).isZero();
      assertThat(store.authorBytes(BOB)).isZero();
      assertThat(store.authorBytes(ALICE)).isZero();
      try (Stream<Path> left = Files.walk(dir.resolve("blocks"))) {
        assertThat(left.filter(Files::isRegularFile)).isEmpty();
      }
      assertThat(store.putBlock(shared, chunk)).isEqualTo(PutOutcome.UNWANTED);
    }
  }

  @Test
  void removeReferences_oneEntryTwoFilesSharingABlock_freesEachBlockOnce() throws Exception {
    byte[] chunk = bytes(UnixFsFile.LEAF_BYTES, 20);
    Cid raw = Cid.rawSha256(chunk); // a one-block file that is also B's first leaf
    byte[] fileB = concat(chunk, bytes(30, 21));
    FileLayout b = UnixFsFile.layout(fileB);
    FileLayout never = UnixFsFile.layout(bytes(UnixFsFile.LEAF_BYTES + 7, 22));
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      store.addReference(entry(1), BOB, raw, chunk.length, MediaOrigin.PEER);
      store.addReference(entry(1), BOB, b.root(), fileB.length, MediaOrigin.PEER);
      // a third file whose root never arrives
      store.addReference(entry(1), BOB, never.root(), UnixFsFile.LEAF_BYTES + 7, MediaOrigin.PEER);
      putAll(store, b);
      assertThat(store.putBlock(raw, chunk)).isEqualTo(PutOutcome.DUPLICATE);
      assertThat(store.missing(raw)).isEmpty();
      assertThat(store.usage().storedBlocks()).isEqualTo(3);

      assertThat(store.removeReferences(entry(1))).isEqualTo(3);

      assertThat(store.usage().storedBlocks()).isZero();
      assertThat(store.usage().storedBytes()).isZero();
      assertThat(store.usage().referencedBytes()).isZero();
      assertThat(store.authorBytes(BOB)).isZero();
      assertThat(store.removeReferences(entry(1))).isZero();
    }
  }

  @Test
  void addReference_overAuthorQuota_refusedAndCounted_ownNeverRefused() throws Exception {
    MediaBudgets budgets = new MediaBudgets(1000, 1_000_000);
    Cid a = Cid.rawSha256(bytes(600, 8));
    Cid b = Cid.rawSha256(bytes(600, 9));
    try (MediaStore store = MediaStore.open(dir, budgets)) {
      assertThat(store.addReference(entry(1), BOB, a, 600, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      // the same file again from another of bob's entries costs nothing more
      assertThat(store.addReference(entry(2), BOB, a, 600, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.addReference(entry(2), BOB, a, 600, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.DUPLICATE);
      assertThat(store.addReference(entry(3), BOB, b, 600, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.REFUSED_AUTHOR_QUOTA);
      assertThat(store.addReference(entry(4), ALICE, b, 600, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.addReference(entry(5), BOB, b, 600, MediaOrigin.OWN))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.authorBytes(BOB)).isEqualTo(1200);
      assertThat(store.usage().references())
          .containsEntry(ReferenceOutcome.REFUSED_AUTHOR_QUOTA, 1L);
    }
  }

  @Test
  void addReference_overTotalBudget_refusedForPeersOnly() throws Exception {
    MediaBudgets budgets = new MediaBudgets(1_000_000, 1000);
    try (MediaStore store = MediaStore.open(dir, budgets)) {
      Cid a = Cid.rawSha256(bytes(700, 10));
      Cid b = Cid.rawSha256(bytes(700, 11));
      assertThat(store.addReference(entry(1), BOB, a, 700, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.addReference(entry(2), ALICE, b, 700, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.REFUSED_TOTAL_BUDGET);
      // a file already referenced adds nothing to the total
      assertThat(store.addReference(entry(3), ALICE, a, 700, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.addReference(entry(4), ALICE, b, 700, MediaOrigin.OWN))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.usage().referencedBytes()).isEqualTo(1400);
    }
  }

  @Test
  void addReference_impossibleOrConflictingSize_refusedBadSize() throws Exception {
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      Cid raw = Cid.rawSha256(bytes(10, 12));
      assertThat(
              store.addReference(entry(1), BOB, raw, UnixFsFile.LEAF_BYTES + 1, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.REFUSED_BAD_SIZE);
      assertThat(store.addReference(entry(1), BOB, raw, -1, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.REFUSED_BAD_SIZE);
      assertThat(store.addReference(entry(1), BOB, raw, 10, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.ADDED);
      assertThat(store.addReference(entry(2), ALICE, raw, 11, MediaOrigin.PEER))
          .isEqualTo(ReferenceOutcome.REFUSED_BAD_SIZE);
    }
  }

  @Test
  void open_afterRestart_keepsIndexAndBlocks_andSweepsOrphans() throws Exception {
    byte[] file = bytes(UnixFsFile.LEAF_BYTES + 5, 13);
    FileLayout layout = UnixFsFile.layout(file);
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      store.addReference(entry(1), BOB, layout.root(), file.length, MediaOrigin.PEER);
      putAll(store, layout);
    }
    // a block file without its index row, as a crash between the two would leave
    Cid orphan = Cid.rawSha256(new byte[] {42});
    String name = orphan.toString();
    Path orphanPath =
        dir.resolve("blocks").resolve(name.substring(name.length() - 2)).resolve(name);
    Files.createDirectories(orphanPath.getParent());
    Files.write(orphanPath, new byte[] {42});
    Files.write(orphanPath.resolveSibling("x.tmp"), new byte[] {1});
    long stored;
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      assertThat(store.usage().sweptFiles()).isEqualTo(2);
      assertThat(Files.exists(orphanPath)).isFalse();
      assertThat(store.missing(layout.root())).isEmpty();
      assertThat(store.open(layout.root()).orElseThrow().readAllBytes()).isEqualTo(file);
      assertThat(store.authorBytes(BOB)).isEqualTo(file.length);
      assertThat(store.usage().referencedBytes()).isEqualTo(file.length);
      stored = store.usage().storedBytes();
      assertThat(stored).isGreaterThan(file.length);
      assertThat(store.removeReferences(entry(1))).isEqualTo(1);
    }
    try (MediaStore store = MediaStore.open(dir, MediaBudgets.DEFAULTS)) {
      assertThat(store.usage().storedBytes()).isZero();
      assertThat(store.referenced(layout.root())).isFalse();
      assertThat(store.usage().sweptFiles()).isZero();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
