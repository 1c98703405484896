package org.grapevine.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * SmallSet must behave as LinkedHashSet does wherever the router uses it, and SmallSortedSet as
 * TreeSet does wherever a sync session uses it: same members, same iteration order, same answers,
 * on both sides of the move from the array into the JDK's set.
 */
class ArraySetTest {
  @Test
  void randomOperations_smallSet_matchesLinkedHashSet_inMembersAndOrder() {
    // Ranges below, around and above the array's 16 members.
    matchesReference(SmallSet::new, LinkedHashSet::new, 7, 40, 300);
  }

  @Test
  void randomOperations_smallSortedSet_matchesTreeSet_inMembersAndOrder() {
    // Ranges below, around and above the array's 64 members.
    matchesReference(SmallSortedSet::new, TreeSet::new, 11, 150, 400);
  }

  /**
   * 200 rounds of {@code ops} random operations on values below a random range up to {@code max}.
   */
  private static void matchesReference(
      Supplier<Set<Integer>> smallSets,
      Supplier<Set<Integer>> referenceSets,
      long seed,
      int maxRange,
      int ops) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 200; round++) {
      Set<Integer> small = smallSets.get();
      Set<Integer> reference = referenceSets.get();
      int range = 1 + random.nextInt(maxRange);
      for (int op = 0; op < ops; op++) {
        int x = random.nextInt(range);
        switch (random.nextInt(5)) {
          case 0, 1 -> assertThat(small.add(x)).isEqualTo(reference.add(x));
          case 2 -> assertThat(small.remove(x)).isEqualTo(reference.remove(x));
          case 3 -> {
            Iterator<Integer> a = small.iterator();
            Iterator<Integer> b = reference.iterator();
            while (b.hasNext()) {
              assertThat(a.next()).isEqualTo(b.next());
              if (random.nextInt(4) == 0) {
                a.remove();
                b.remove();
              }
            }
            assertThat(a.hasNext()).isFalse();
          }
          default -> assertThat(small.contains(x)).isEqualTo(reference.contains(x));
        }
        assertThat(small.size()).isEqualTo(reference.size());
        assertThat(new ArrayList<>(small)).isEqualTo(new ArrayList<>(reference));
      }
      assertThat(small).isEqualTo(reference);
      assertThat(small.hashCode()).isEqualTo(reference.hashCode());
    }
  }

  @Test
  void smallSet_readdingAMember_keepsItsPlace() {
    SmallSet<String> s = new SmallSet<>();
    s.add("a");
    s.add("b");
    assertThat(s.add("a")).isFalse();
    assertThat(List.copyOf(s)).containsExactly("a", "b");
  }

  @Test
  void smallSortedSet_bulkOperations_matchTreeSet() {
    SmallSortedSet<String> s = new SmallSortedSet<>();
    s.addAll(List.of("c", "a", "b", "a"));
    assertThat(new ArrayList<>(s)).containsExactly("a", "b", "c");
    s.removeAll(List.of("b", "z"));
    assertThat(new ArrayList<>(s)).containsExactly("a", "c");
    assertThat(s.contains(null)).isFalse();
    s.clear();
    assertThat(s).isEmpty();
  }

  @Test
  void addingDuringIteration_failsFast() {
    for (Set<Integer> s : List.<Set<Integer>>of(new SmallSet<>(), new SmallSortedSet<>())) {
      s.add(1);
      s.add(2);
      Iterator<Integer> it = s.iterator();
      it.next();
      s.add(3);
      assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
    }
  }

  @Test
  void nullMember_isRefused() {
    assertThatThrownBy(() -> new SmallSet<String>().add(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("SmallSet refuses null");
    assertThatThrownBy(() -> new SmallSortedSet<String>().add(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("SmallSortedSet refuses null");
  }
}
