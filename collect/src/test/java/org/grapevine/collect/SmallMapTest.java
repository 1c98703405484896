package org.grapevine.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SmallMap must behave as LinkedHashMap does wherever the node uses it: same mappings, same
 * iteration order, same answers, on both sides of the move from the arrays into a LinkedHashMap.
 */
class SmallMapTest {
  /** Keys with few distinct hash codes, so that the equal-hash path is walked as well. */
  private record Key(int n) {
    @Override
    public int hashCode() {
      return n % 5;
    }
  }

  @Test
  void randomOperations_matchLinkedHashMap_inMappingsAndOrder() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 300; round++) {
      SmallMap<Key, Integer> small = new SmallMap<>();
      LinkedHashMap<Key, Integer> reference = new LinkedHashMap<>();
      int range = 1 + random.nextInt(3 * SmallMap.ARRAY_MAX); // below, around and above the arrays
      for (int op = 0; op < 400; op++) {
        Key k = new Key(random.nextInt(range));
        int v = random.nextInt(1000);
        switch (random.nextInt(9)) {
          case 0, 1, 2 -> assertThat(small.put(k, v)).isEqualTo(reference.put(k, v));
          case 3 -> assertThat(small.remove(k)).isEqualTo(reference.remove(k));
          case 4 -> {
            Iterator<Map.Entry<Key, Integer>> a = small.entrySet().iterator();
            Iterator<Map.Entry<Key, Integer>> b = reference.entrySet().iterator();
            while (b.hasNext()) {
              Map.Entry<Key, Integer> ea = a.next();
              Map.Entry<Key, Integer> eb = b.next();
              assertThat(ea).isEqualTo(eb);
              switch (random.nextInt(4)) {
                case 0 -> {
                  a.remove();
                  b.remove();
                }
                case 1 -> assertThat(ea.setValue(v)).isEqualTo(eb.setValue(v));
                default -> {}
              }
            }
            assertThat(a.hasNext()).isFalse();
          }
          case 5 -> {
            Iterator<Key> a = small.keySet().iterator();
            Iterator<Key> b = reference.keySet().iterator();
            while (b.hasNext()) {
              assertThat(a.next()).isEqualTo(b.next());
              if (random.nextInt(5) == 0) {
                a.remove();
                b.remove();
              }
            }
            assertThat(a.hasNext()).isFalse();
          }
          case 6 ->
              assertThat(small.computeIfAbsent(k, x -> v))
                  .isEqualTo(reference.computeIfAbsent(k, x -> v));
          case 7 -> assertThat(small.containsKey(k)).isEqualTo(reference.containsKey(k));
          default -> assertThat(small.getOrDefault(k, -1)).isEqualTo(reference.getOrDefault(k, -1));
        }
        assertThat(small.size()).isEqualTo(reference.size());
        assertThat(new ArrayList<>(small.keySet())).isEqualTo(new ArrayList<>(reference.keySet()));
        assertThat(new ArrayList<>(small.values())).isEqualTo(new ArrayList<>(reference.values()));
      }
      List<Object> visited = new ArrayList<>();
      small.forEach((k, v) -> visited.add(k + "=" + v));
      List<Object> expected = new ArrayList<>();
      reference.forEach((k, v) -> expected.add(k + "=" + v));
      assertThat(visited).isEqualTo(expected);
      assertThat(small).isEqualTo(reference);
      assertThat(small.hashCode()).isEqualTo(reference.hashCode());
    }
  }

  @Test
  void puttingAPresentKey_keepsItsPlace_removingAndPutting_movesItLast() {
    SmallMap<String, Integer> m = new SmallMap<>();
    m.put("a", 1);
    m.put("b", 2);
    assertThat(m.put("a", 3)).isEqualTo(1);
    assertThat(List.copyOf(m.keySet())).containsExactly("a", "b");
    m.remove("a");
    m.put("a", 4);
    assertThat(List.copyOf(m.keySet())).containsExactly("b", "a");
  }

  @Test
  void orderSurvivesTheMoveIntoALinkedHashMap() {
    SmallMap<Integer, Integer> m = new SmallMap<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i <= SmallMap.ARRAY_MAX; i++) {
      int k = (i * 7919) % 1000;
      m.put(k, i);
      order.add(k);
    }
    assertThat(List.copyOf(m.keySet())).isEqualTo(order);
    assertThat(m.get(order.get(3))).isEqualTo(3);
  }

  @Test
  void aChangeDuringIteration_failsFast_evenAcrossTheMove() {
    SmallMap<Integer, Integer> m = new SmallMap<>();
    m.put(1, 1);
    m.put(2, 2);
    Iterator<Integer> it = m.keySet().iterator();
    it.next();
    m.put(3, 3);
    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);

    Iterator<Integer> values = m.values().iterator();
    for (int i = 4; i <= SmallMap.ARRAY_MAX + 1; i++) {
      m.put(i, i);
    }
    assertThatThrownBy(values::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void anEntry_staysReadableAfterItsMapChanged_butNoLongerWritesThrough() {
    SmallMap<String, Integer> m = new SmallMap<>();
    m.put("a", 1);
    m.put("b", 2);
    Map.Entry<String, Integer> first = m.entrySet().iterator().next();
    m.remove("a");
    assertThat(first.getKey()).isEqualTo("a");
    assertThat(first.getValue()).isEqualTo(1);
    assertThatThrownBy(() -> first.setValue(5)).isInstanceOf(ConcurrentModificationException.class);
    assertThat(m).containsExactly(Map.entry("b", 2));
  }

  @Test
  void nullsAreRefused() {
    SmallMap<String, Integer> m = new SmallMap<>();
    assertThatThrownBy(() -> m.put(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> m.put("a", null)).isInstanceOf(NullPointerException.class);
    assertThat(m.get(null)).isNull();
    assertThat(m.containsKey(null)).isFalse();
    assertThat(m.remove(null)).isNull();
  }
}
