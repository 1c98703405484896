package org.grapevine.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * SmallSortedSet must behave as TreeSet does wherever a sync session uses it: same members, same
 * (natural) iteration order, same answers, on both sides of the move from the array into a TreeSet.
 */
class SmallSortedSetTest {
  @Test
  void randomOperations_matchTreeSet_inMembersAndOrder() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 200; round++) {
      SmallSortedSet<Integer> small = new SmallSortedSet<>();
      TreeSet<Integer> reference = new TreeSet<>();
      int range = 1 + random.nextInt(150); // below, around and above the array's 64 members
      for (int op = 0; op < 400; op++) {
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
  void bulkOperations_matchTreeSet() {
    SmallSortedSet<String> s = new SmallSortedSet<>();
    s.addAll(java.util.List.of("c", "a", "b", "a"));
    assertThat(new ArrayList<>(s)).containsExactly("a", "b", "c");
    s.removeAll(java.util.List.of("b", "z"));
    assertThat(new ArrayList<>(s)).containsExactly("a", "c");
    assertThat(s.contains(null)).isFalse();
    s.clear();
    assertThat(s).isEmpty();
  }

  @Test
  void addingDuringIteration_failsFast() {
    SmallSortedSet<Integer> s = new SmallSortedSet<>();
    s.add(1);
    s.add(2);
    Iterator<Integer> it = s.iterator();
    it.next();
    s.add(3);
    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void nullMember_isRefused() {
    assertThatThrownBy(() -> new SmallSortedSet<String>().add(null))
        .isInstanceOf(NullPointerException.class);
  }
}
