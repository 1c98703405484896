package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ScoredTopics must iterate exactly as a default HashMap filled the same way: the score is a
 * floating-point sum in that order. Keys are drawn from a small pool so that buckets collide, and
 * holders grow past the chain into the HashMap (and past its first resize).
 */
class ScoredTopicsTest {
  private static final class Counter extends ScoredTopics.Link<Counter> {
    final double value;

    Counter(String topic, double value) {
      super(topic);
      this.value = value;
    }
  }

  @Test
  void iteratesAndSumsAsADefaultHashMap() {
    List<String> any = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      any.add("/grapevine/id/" + i);
    }
    check(any, new SplittableRandom(7));
  }

  /** All in one bucket: past eight, HashMap resizes instead of growing a tree, then trees. */
  @Test
  void iteratesAsADefaultHashMap_whenAllKeysShareABucket() {
    List<String> colliding = new ArrayList<>();
    for (int i = 0; colliding.size() < 40; i++) {
      String key = "/grapevine/id/" + i;
      int h = key.hashCode();
      if (((h ^ (h >>> 16)) & 63) == 5) {
        colliding.add(key);
      }
    }
    check(colliding, new SplittableRandom(11));
  }

  private static void check(List<String> keys, SplittableRandom random) {
    for (int round = 0; round < 2000; round++) {
      Object topics = null;
      Map<String, Double> reference = new HashMap<>();
      int pool = 1 + random.nextInt(keys.size());
      int inserts = random.nextInt(30);
      for (int i = 0; i < inserts; i++) {
        String topic = keys.get(random.nextInt(pool));
        double value = random.nextDouble() * 1e6 - 5e5;
        Counter made = ScoredTopics.get(topics, topic);
        if (made == null) {
          made = new Counter(topic, value);
          topics = ScoredTopics.add(topics, made);
        }
        assertThat(made.value).isEqualTo(reference.computeIfAbsent(topic, t -> value));
        assertThat(ScoredTopics.size(topics)).isEqualTo(reference.size());
      }
      List<String> order = new ArrayList<>();
      ScoredTopics.<Counter>forEach(topics, c -> order.add(c.topic + "=" + c.value));
      List<String> expected = new ArrayList<>();
      reference.forEach((k, v) -> expected.add(k + "=" + v));
      assertThat(order).isEqualTo(expected);

      double referenceSum = 0;
      for (Map.Entry<String, Double> e : reference.entrySet()) {
        referenceSum += e.getValue() * 1.1;
      }
      // Bit for bit: the same additions in the same order.
      ScoredTopics.Term<Counter> term = (k, c, now) -> c.value * 1.1;
      assertThat(Double.doubleToRawLongBits(ScoredTopics.sum(topics, term, 0)))
          .isEqualTo(Double.doubleToRawLongBits(referenceSum));
      for (String topic : keys) {
        Counter c = ScoredTopics.get(topics, topic);
        assertThat(c == null ? null : c.value).isEqualTo(reference.get(topic));
      }
    }
  }
}
