package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class RowCacheTest {
  private static final Identity ALICE = Identity.of(TestAuthors.key("alice").publicKey());
  private static final Identity BOB = Identity.of(TestAuthors.key("bob").publicKey());

  @Test
  void fill_noWriteSinceTheRead_isKept() {
    RowCache cache = new RowCache(8);
    long generation = cache.generation();

    cache.fill(RowCache.storedBytes(ALICE), 10L, generation);

    assertThat(cache.get(RowCache.storedBytes(ALICE))).isEqualTo(10L);
  }

  @Test
  void fill_writeSinceTheRead_isDropped() {
    RowCache cache = new RowCache(8);
    long generation = cache.generation();
    cache.put(RowCache.storedBytes(ALICE), 20L);

    // A reader read 10 before the writer wrote 20: its offer must not replace the written value.
    cache.fill(RowCache.storedBytes(ALICE), 10L, generation);
    cache.fill(RowCache.storedBytes(BOB), 5L, generation);

    assertThat(cache.get(RowCache.storedBytes(ALICE))).isEqualTo(20L);
    assertThat(cache.get(RowCache.storedBytes(BOB))).isNull();
  }

  @Test
  void fill_afterClear_withAnOlderGeneration_isDropped() {
    RowCache cache = new RowCache(8);
    long generation = cache.generation();
    cache.clear();

    cache.fill(RowCache.muted(ALICE), true, generation);

    assertThat(cache.get(RowCache.muted(ALICE))).isNull();
  }

  @Test
  void keys_ofDifferentKinds_doNotMeet() {
    RowCache cache = new RowCache(8);
    cache.put(RowCache.storedBytes(ALICE), 7L);

    assertThat(cache.get(RowCache.muted(ALICE))).isNull();
    assertThat(cache.get(RowCache.device(ALICE, ALICE.root()))).isNull();
  }

  @Test
  void overCapacity_leastRecentlyUsedGoesFirst() {
    RowCache cache = new RowCache(2);
    cache.put(RowCache.storedBytes(ALICE), 1L);
    cache.put(RowCache.storedBytes(BOB), 2L);
    cache.get(RowCache.storedBytes(ALICE));

    cache.put(RowCache.muted(ALICE), true);

    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get(RowCache.storedBytes(ALICE))).isEqualTo(1L);
    assertThat(cache.get(RowCache.storedBytes(BOB))).isNull();
  }

  @Test
  void write_underWay_hidesItsRows_dropsFills_thenPutsThemAllAtOnce() {
    RowCache cache = new RowCache(8);
    cache.put(RowCache.storedBytes(ALICE), 1L);
    cache.put(RowCache.muted(ALICE), false);
    RowCache.Write write = new RowCache.Write();
    write.put(RowCache.storedBytes(ALICE), 2L);
    write.put(RowCache.muted(ALICE), true);

    cache.begin(write);
    // A reader misses (and reads the store, where the batch lands whole); its offer is dropped.
    assertThat(cache.get(RowCache.storedBytes(ALICE))).isNull();
    assertThat(cache.get(RowCache.muted(ALICE))).isNull();
    cache.fill(RowCache.storedBytes(ALICE), 1L, cache.generation());
    cache.fill(RowCache.storedBytes(BOB), 5L, cache.generation());
    assertThat(cache.get(RowCache.storedBytes(ALICE))).isNull();
    assertThat(cache.get(RowCache.storedBytes(BOB))).isNull();
    long during = cache.generation();
    cache.end(write);

    assertThat(cache.get(RowCache.storedBytes(ALICE))).isEqualTo(2L);
    assertThat(cache.get(RowCache.muted(ALICE))).isTrue();
    cache.fill(RowCache.storedBytes(BOB), 5L, during); // Read while the write was under way.
    assertThat(cache.get(RowCache.storedBytes(BOB))).isNull();
    cache.fill(RowCache.storedBytes(BOB), 5L, cache.generation());
    assertThat(cache.get(RowCache.storedBytes(BOB))).isEqualTo(5L);
  }

  @Test
  void write_aborted_leavesItsRowsOut_andFillsWorkAgain() {
    RowCache cache = new RowCache(8);
    cache.put(RowCache.storedBytes(ALICE), 1L);
    RowCache.Write write = new RowCache.Write();
    write.put(RowCache.storedBytes(ALICE), 2L);

    cache.begin(write);
    cache.abort(write);

    assertThat(cache.get(RowCache.storedBytes(ALICE))).isNull();
    cache.fill(RowCache.storedBytes(ALICE), 1L, cache.generation());
    assertThat(cache.get(RowCache.storedBytes(ALICE))).isEqualTo(1L);
  }
}
