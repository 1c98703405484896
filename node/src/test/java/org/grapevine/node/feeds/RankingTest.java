package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.protocol.entry.EntryId;
import org.junit.jupiter.api.Test;

class RankingTest {
  /**
   * The fast order (score, then the id's first bytes) and the primitive sort are score high to low,
   * then id ascending.
   */
  @Test
  void theOrderIsScoreThenIdAsEntryIdsCompare() {
    SplittableRandom r = new SplittableRandom(3);
    List<Ranking.Item> items = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      byte[] id = new byte[32];
      r.nextBytes(id);
      if (i % 3 == 0) {
        id[0] = (byte) 0x80; // Shared first bytes, some with the high bit set: ties to break late.
        id[1] = (byte) (i % 2 == 0 ? 0xff : 0x01);
        java.util.Arrays.fill(id, 2, 8, (byte) 0);
      }
      double score =
          switch (i % 6) {
            case 0 -> 0.0;
            case 1 -> -0.0;
            case 2 -> r.nextInt(3); // Many ties: runs sorted again by id.
            case 3 -> -r.nextDouble() * 1e300;
            case 4 -> Double.POSITIVE_INFINITY;
            default -> 1.0 + Math.ulp(1.0) * r.nextInt(3); // Apart in the lowest bits only.
          };
      items.add(new Ranking.Item(score, EntryId.of(id), false));
    }
    List<Ranking.Item> fast = new ArrayList<>(items);
    fast.sort(Ranking.ORDER);
    Ranking.Item[] primitive = items.toArray(new Ranking.Item[0]);
    Ranking.sort(primitive);
    List<Ranking.Item> plain = new ArrayList<>(items);
    plain.sort(
        Comparator.comparingDouble((Ranking.Item i) -> -i.score()).thenComparing(Ranking.Item::id));
    assertThat(fast).containsExactlyElementsOf(plain);
    assertThat(primitive).containsExactlyElementsOf(plain);
  }
}
