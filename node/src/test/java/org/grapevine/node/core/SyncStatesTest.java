package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** SyncStates answers as the TreeMap it replaced: same sessions, same id order. */
class SyncStatesTest {
  @Test
  void randomOperations_matchATreeMap() {
    SplittableRandom random = new SplittableRandom(9);
    SyncStates table = new SyncStates();
    TreeMap<Long, SyncState> reference = new TreeMap<>();
    long nextId = 1;
    for (int op = 0; op < 20_000; op++) {
      if (random.nextInt(3) == 0 || reference.isEmpty()) {
        SyncState s = new SyncState(nextId++, null, null);
        table.add(s);
        reference.put(s.id, s);
      } else {
        long id = 1 + random.nextLong(nextId + 2);
        if (random.nextBoolean()) {
          assertThat(table.remove(id)).isEqualTo(reference.remove(id) != null);
        } else {
          assertThat(table.get(id)).isSameAs(reference.get(id));
        }
      }
      assertThat(table.size()).isEqualTo(reference.size());
    }
    assertThat(table.snapshot()).containsExactlyElementsOf(new ArrayList<>(reference.values()));
  }

  @Test
  void anIdNotAboveTheLast_isRefused() {
    SyncStates table = new SyncStates();
    table.add(new SyncState(5, null, null));
    assertThatThrownBy(() -> table.add(new SyncState(5, null, null)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
