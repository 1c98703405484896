package org.grapevine.libp2p.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SmallSet must behave as LinkedHashSet does wherever the router uses it: same members, same
 * iteration order, same answers, on both sides of the move from the array into a LinkedHashSet.
 */
class SmallSetTest {
  @Test
  void randomOperations_matchLinkedHashSet_inMembersAndOrder() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 200; round++) {
      SmallSet<Integer> small = new SmallSet<>();
      LinkedHashSet<Integer> reference = new LinkedHashSet<>();
      int range = 1 + random.nextInt(40); // below, around and above the array's 16 members
      for (int op = 0; op < 300; op++) {
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
  void readdingAMember_keepsItsPlace() {
    SmallSet<String> s = new SmallSet<>();
    s.add("a");
    s.add("b");
    assertThat(s.add("a")).isFalse();
    assertThat(List.copyOf(s)).containsExactly("a", "b");
  }

  @Test
  void addingDuringIteration_failsFast() {
    SmallSet<Integer> s = new SmallSet<>();
    s.add(1);
    s.add(2);
    Iterator<Integer> it = s.iterator();
    it.next();
    s.add(3);
    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void nullMember_isRefused() {
    assertThatThrownBy(() -> new SmallSet<String>().add(null))
        .isInstanceOf(NullPointerException.class);
  }
}
