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
 * maps grow past the arrays into the HashMap (and past its first resize).
 */
class ScoredTopicsTest {
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
      ScoredTopics<Double> topics = new ScoredTopics<>();
      Map<String, Double> reference = new HashMap<>();
      int pool = 1 + random.nextInt(keys.size());
      int inserts = random.nextInt(30);
      for (int i = 0; i < inserts; i++) {
        String topic = keys.get(random.nextInt(pool));
        double value = random.nextDouble() * 1e6 - 5e5;
        Double made = topics.computeIfAbsent(topic, () -> value);
        assertThat(made).isEqualTo(reference.computeIfAbsent(topic, t -> value));
        assertThat(topics.size()).isEqualTo(reference.size());
      }
      List<String> order = new ArrayList<>();
      topics.forEach((k, v) -> order.add(k + "=" + v));
      List<String> expected = new ArrayList<>();
      reference.forEach((k, v) -> expected.add(k + "=" + v));
      assertThat(order).isEqualTo(expected);

      double referenceSum = 0;
      for (Map.Entry<String, Double> e : reference.entrySet()) {
        referenceSum += e.getValue() * 1.1;
      }
      // Bit for bit: the same additions in the same order.
      assertThat(Double.doubleToRawLongBits(topics.sum((k, v, now) -> v * 1.1, 0)))
          .isEqualTo(Double.doubleToRawLongBits(referenceSum));
      for (String topic : keys) {
        assertThat(topics.get(topic)).isEqualTo(reference.get(topic));
      }
    }
  }
}
