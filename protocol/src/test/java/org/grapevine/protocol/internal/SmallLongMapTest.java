package org.grapevine.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SmallLongMap must answer as a HashMap of the same puts does, on both sides of its move from the
 * arrays into a HashMap.
 */
class SmallLongMapTest {
  @Test
  void randomOperations_matchHashMap() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 300; round++) {
      SmallLongMap<String> small = new SmallLongMap<>();
      Map<String, Long> reference = new HashMap<>();
      int range = 1 + random.nextInt(40); // below, around and above the arrays' 16 keys
      for (int op = 0; op < 200; op++) {
        // New strings each time: found by equals, not by identity.
        String key = "k" + random.nextInt(range);
        long value = random.nextLong(-1000, 1000);
        switch (random.nextInt(3)) {
          case 0 -> {
            small.put(key, value);
            reference.put(key, value);
          }
          case 1 -> {
            small.putMax(key, value);
            reference.merge(key, value, Math::max);
          }
          default -> assertThat(small.get(key, -1)).isEqualTo(reference.getOrDefault(key, -1L));
        }
        assertThat(small.size()).isEqualTo(reference.size());
      }
      for (Map.Entry<String, Long> e : reference.entrySet()) {
        assertThat(small.get(new String(e.getKey()), Long.MIN_VALUE)).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void nullKey_refused() {
    SmallLongMap<String> m = new SmallLongMap<>();
    assertThatThrownBy(() -> m.put(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> m.putMax(null, 1)).isInstanceOf(NullPointerException.class);
  }
}
