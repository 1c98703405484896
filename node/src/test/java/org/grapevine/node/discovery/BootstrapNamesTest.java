package org.grapevine.node.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BootstrapNamesTest {
  @Test
  void retryDelay_doublesFromTenSeconds_cappedAtThirtyMinutes() {
    assertThat(BootstrapNames.retryDelayNanos(1)).isEqualTo(TimeUnit.SECONDS.toNanos(10));
    assertThat(BootstrapNames.retryDelayNanos(2)).isEqualTo(TimeUnit.SECONDS.toNanos(20));
    assertThat(BootstrapNames.retryDelayNanos(9)).isEqualTo(TimeUnit.MINUTES.toNanos(30));
    assertThat(BootstrapNames.retryDelayNanos(500)).isEqualTo(TimeUnit.MINUTES.toNanos(30));
  }
}
