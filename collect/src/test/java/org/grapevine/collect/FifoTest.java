package org.grapevine.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fifo must hand out what an ArrayDeque would, in the same order, through wrap-arounds. */
class FifoTest {
  @Test
  void randomOperations_matchArrayDeque() {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 300; round++) {
      Fifo<Integer> fifo = new Fifo<>();
      ArrayDeque<Integer> reference = new ArrayDeque<>();
      int burst = 1 + random.nextInt(40);
      for (int op = 0; op < 500; op++) {
        int x = random.nextInt(1000);
        switch (random.nextInt(7)) {
          case 0, 1, 2 -> {
            fifo.add(x);
            reference.add(x);
          }
          case 3 -> {
            for (int i = random.nextInt(burst); i > 0; i--) {
              fifo.add(x + i);
              reference.add(x + i);
            }
          }
          case 4 -> {
            int mod = 2 + random.nextInt(5);
            assertThat(fifo.removeIf(v -> v % mod == 0))
                .isEqualTo(reference.removeIf(v -> v % mod == 0));
          }
          case 5 -> {
            while (!reference.isEmpty()) {
              assertThat(fifo.poll()).isEqualTo(reference.poll());
            }
          }
          default -> assertThat(fifo.poll()).isEqualTo(reference.poll());
        }
        assertThat(fifo.size()).isEqualTo(reference.size());
        assertThat(fifo.isEmpty()).isEqualTo(reference.isEmpty());
      }
    }
  }

  @Test
  void nullsAreRefused_andAnEmptyQueuePollsNull() {
    Fifo<String> fifo = new Fifo<>();
    assertThat(fifo.poll()).isNull();
    assertThatThrownBy(() -> fifo.add(null)).isInstanceOf(NullPointerException.class);
    fifo.add("a");
    assertThat(fifo.poll()).isEqualTo("a");
    assertThat(fifo.poll()).isNull();
  }
}
