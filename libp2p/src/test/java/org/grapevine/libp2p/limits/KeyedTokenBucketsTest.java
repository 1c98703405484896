package org.grapevine.libp2p.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedTokenBucketsTest {
  private static final long S = 1_000_000_000L;

  private final KeyedTokenBuckets<String> buckets =
      new KeyedTokenBuckets<>(1, Duration.ofSeconds(1), 1, 2);

  @Test
  void tryAcquire_eachKeyItsOwnBucket() {
    assertThat(buckets.tryAcquire("a", 0)).isTrue();
    assertThat(buckets.tryAcquire("a", 0)).isFalse();
    assertThat(buckets.tryAcquire("b", 0)).isTrue();

    assertThat(buckets.tryAcquire("a", S)).isTrue();
    assertThat(buckets.size()).isEqualTo(2);
  }

  @Test
  void tryAcquire_beyondMaxKeys_forgetsLeastRecentlyUsed() {
    buckets.tryAcquire("a", 0);
    buckets.tryAcquire("b", 0);
    buckets.tryAcquire("a", 0); // a used last: b is the eldest

    assertThat(buckets.tryAcquire("c", 0)).isTrue();

    assertThat(buckets.size()).isEqualTo(2);
    assertThat(buckets.forgotten()).isEqualTo(1);
    assertThat(buckets.tryAcquire("a", 0)).isFalse(); // still tracked, still empty
    assertThat(buckets.tryAcquire("b", 0)).isTrue(); // forgotten: starts full again
    assertThat(buckets.forgotten()).isEqualTo(2);
  }
}
