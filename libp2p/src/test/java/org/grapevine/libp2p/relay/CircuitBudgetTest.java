package org.grapevine.libp2p.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CircuitBudgetTest {
  @Test
  void admit_withinLimit_forwardsAll() {
    CircuitBudget b = new CircuitBudget(100);
    assertThat(b.admit(60)).isEqualTo(60);
    assertThat(b.admit(40)).isEqualTo(40);
    assertThat(b.exhausted()).isFalse(); // exactly the limit: still allowed
  }

  @Test
  void admit_pastLimit_forwardsTheRestThenNothing() {
    CircuitBudget b = new CircuitBudget(100);
    b.admit(90);

    assertThat(b.admit(30)).isEqualTo(10);
    assertThat(b.exhausted()).isTrue();
    assertThat(b.admit(1)).isZero();
    assertThat(b.relayedBytes()).isEqualTo(100);
  }

  @Test
  void admit_noLimit_forwardsEverything() {
    CircuitBudget b = new CircuitBudget(0);
    assertThat(b.admit(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    assertThat(b.exhausted()).isFalse();
  }
}
