package org.grapevine.libp2p.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long S = 1_000_000_000L;

  @Test
  void tryAcquire_burstThenRefillAtTheRate() {
    TokenBucket b = new TokenBucket(2, Duration.ofSeconds(1), 3);
    long t0 = 5 * S; // the bucket starts full at its first use, whenever that is
    assertThat(b.tryAcquire(t0)).isTrue();
    assertThat(b.tryAcquire(t0)).isTrue();
    assertThat(b.tryAcquire(t0)).isTrue();
    assertThat(b.tryAcquire(t0)).isFalse();

    assertThat(b.tryAcquire(t0 + S / 4)).isFalse(); // half a token
    assertThat(b.tryAcquire(t0 + S / 2)).isTrue(); // one token at 2 per second
    assertThat(b.tryAcquire(t0 + S / 2)).isFalse();
  }

  @Test
  void tryAcquire_refillCappedAtBurst() {
    TokenBucket b = new TokenBucket(1, Duration.ofMinutes(1), 2);
    b.tryAcquire(0);
    b.tryAcquire(0);

    long later = 3600 * S;
    assertThat(b.tryAcquire(later)).isTrue();
    assertThat(b.tryAcquire(later)).isTrue();
    assertThat(b.tryAcquire(later)).isFalse();
  }

  @Test
  void tryAcquire_timeGoingBack_refillsNothing() {
    TokenBucket b = new TokenBucket(1, Duration.ofSeconds(1), 1);
    assertThat(b.tryAcquire(10 * S)).isTrue();
    assertThat(b.tryAcquire(0)).isFalse();
    assertThat(b.tryAcquire(S / 2)).isFalse(); // it counts on from the earlier time
    assertThat(b.tryAcquire(S)).isTrue();
  }

  @Test
  void constructor_rejectsNonPositive() {
    assertThatThrownBy(() -> new TokenBucket(0, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyedTokenBuckets<String>(1, Duration.ofSeconds(1), 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyedTokenBuckets<String>(Double.NaN, Duration.ofSeconds(1), 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
