package org.grapevine.simulations.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * StreamTable answers as the map it replaced, through inserts in any order, removals and clears,
 * and gives back room it no longer uses.
 */
class StreamTableTest {
  @Test
  void randomOperations_matchAMap() {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 100; round++) {
      StreamTable table = new StreamTable();
      TreeMap<Long, SimStream> reference = new TreeMap<>();
      int range = 1 + random.nextInt(60);
      for (int op = 0; op < 500; op++) {
        long id = 1L + random.nextInt(range);
        switch (random.nextInt(6)) {
          case 0, 1 -> {
            SimStream s = new SimStream(0, 1 + random.nextInt(5), id, id);
            table.put(id, s);
            reference.put(id, s);
          }
          case 2 -> assertThat(table.remove(id)).isSameAs(reference.remove(id));
          case 3 -> {
            int peer = 1 + random.nextInt(5);
            table.removeIf(s -> s.other(0) == peer);
            reference.values().removeIf(s -> s.other(0) == peer);
          }
          case 4 -> {
            if (random.nextInt(20) == 0) {
              table.clear();
              reference.clear();
            }
          }
          default -> assertThat(table.get(id)).isSameAs(reference.get(id));
        }
        assertThat(table.size()).isEqualTo(reference.size());
        // Room grows by doubling and is given back at a quarter: never more than 4 per stream.
        assertThat(table.capacity()).isLessThanOrEqualTo(Math.max(4, 4 * table.size()));
      }
      for (long id = 0; id <= range + 1; id++) {
        assertThat(table.get(id)).isSameAs(reference.get(id));
      }
    }
  }
}
