package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SortedSnapshotTest {
  @Test
  void answersAsTheTreeSetItWasTakenFrom() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 200; round++) {
      TreeSet<Integer> tree = new TreeSet<>();
      for (int i = random.nextInt(12); i > 0; i--) {
        tree.add(random.nextInt(30));
      }
      Set<Integer> snapshot = SortedSnapshot.of(tree);
      assertThat(List.copyOf(snapshot)).isEqualTo(List.copyOf(tree));
      assertThat(snapshot).isEqualTo(tree);
      assertThat(snapshot.hashCode()).isEqualTo(tree.hashCode());
      for (int x = -1; x <= 31; x++) {
        assertThat(snapshot.contains(x)).isEqualTo(tree.contains(x));
      }
    }
  }

  @Test
  void isUnmodifiable_andNotChangedByItsSource() {
    TreeSet<String> tree = new TreeSet<>(List.of("b", "a"));
    Set<String> snapshot = SortedSnapshot.of(tree);
    tree.add("c");
    assertThat(snapshot).containsExactly("a", "b");
    assertThatThrownBy(() -> snapshot.add("d")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.iterator().remove())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(snapshot.contains(null)).isFalse();
    assertThat(((Set<?>) snapshot).contains(7)).isFalse(); // another type: not a member, no throw
  }
}
