package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadlineFifo} against a brute-force minimum over the requests still in flight, under
 * random adds and settlements in any order (answers come back out of order).
 */
class DeadlineFifoTest {
  @Test
  void earliest_alwaysEqualsTheMinimumOverTheRequestsInFlight() {
    SplittableRandom random = new SplittableRandom(5);
    Map<Long, Long> inFlight = new HashMap<>();
    DeadlineFifo fifo = new DeadlineFifo(inFlight::containsKey);
    long now = 0;
    long nextId = 1;
    for (int step = 0; step < 200_000; step++) {
      now += random.nextInt(3);
      if ((random.nextBoolean() && inFlight.size() < 200) || inFlight.isEmpty()) {
        long id = nextId++;
        long deadline = now + 1_000;
        inFlight.put(id, deadline);
        fifo.add(id, deadline);
      } else {
        // settle a random one of the most recent 64 ids still in flight, or the oldest
        long id = random.nextBoolean() ? nextId - 1 - random.nextInt(64) : minId(inFlight);
        inFlight.remove(id);
      }
      long expected =
          inFlight.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
      assertThat(fifo.earliest()).as("step %d", step).isEqualTo(expected);
      // Nothing older than the oldest request in flight is held: settled ones do not pile up.
      long oldest = inFlight.isEmpty() ? nextId : minId(inFlight);
      assertThat((long) fifo.held()).as("step %d", step).isLessThanOrEqualTo(nextId - oldest);
    }
  }

  @Test
  void add_earlierThanTheLast_isRefused() {
    DeadlineFifo fifo = new DeadlineFifo(id -> true);
    fifo.add(1, 10);
    assertThatThrownBy(() -> fifo.add(2, 9)).isInstanceOf(IllegalArgumentException.class);
    assertThat(fifo.earliest()).isEqualTo(10);
  }

  private static long minId(Map<Long, Long> inFlight) {
    return inFlight.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
  }
}
