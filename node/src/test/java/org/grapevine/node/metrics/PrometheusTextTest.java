package org.grapevine.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void write_countersAndGauges_followFormat004() {
    MetricsRegistry r = new MetricsRegistry();
    Counter c = r.counter("grapevine_test_total", "Things counted.", "kind", "source");
    c.inc("post", "gossip");
    c.add(4, "post", "gossip");
    c.inc("follow", "own");
    r.gauge("grapevine_open", "Open things.", () -> 7);

    assertThat(PrometheusText.write(r.snapshot()))
        .isEqualTo(
            """
        # HELP grapevine_open Open things.
        # TYPE grapevine_open gauge
        grapevine_open 7
        # HELP grapevine_test_total Things counted.
        # TYPE grapevine_test_total counter
        grapevine_test_total{kind="follow",source="own"} 1
        grapevine_test_total{kind="post",source="gossip"} 5
        """);
  }

  @Test
  void write_labelValuesAndHelp_areEscaped() {
    MetricsRegistry r = new MetricsRegistry();
    r.counter("x_total", "a \\ b\nc \"q\"", "l").inc("back\\slash \"quote\"\nnewline");
    assertThat(PrometheusText.write(r.snapshot()))
        .isEqualTo(
            """
        # HELP x_total a \\\\ b\\nc "q"
        # TYPE x_total counter
        x_total{l="back\\\\slash \\"quote\\"\\nnewline"} 1
        """);
  }

  @Test
  void counter_unusedSeries_isNotExposed_andValueReadsZero() {
    MetricsRegistry r = new MetricsRegistry();
    Counter c = r.counter("y_total", "Y.", "a");
    assertThat(c.value("nothing")).isZero();
    assertThat(PrometheusText.write(r.snapshot()))
        .isEqualTo("# HELP y_total Y.\n# TYPE y_total counter\n");
  }

  @Test
  void counter_tooManySeries_overflowsIntoOther() {
    MetricsRegistry r = new MetricsRegistry();
    Counter c = r.counter("z_total", "Z.", "id");
    for (int i = 0; i < Counter.MAX_SERIES + 10; i++) {
      c.inc("v" + i);
    }
    assertThat(c.value("other")).isEqualTo(10);
    assertThat(r.snapshot().get(0).samples()).hasSize(Counter.MAX_SERIES + 1);
  }

  @Test
  void registry_badNamesAndMisuse_areCallerBugs() {
    MetricsRegistry r = new MetricsRegistry();
    assertThatThrownBy(() -> r.counter("1bad", "h")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.counter("ok_total", "h", "bad-label"))
        .isInstanceOf(IllegalArgumentException.class);
    Counter c = r.counter("ok_total", "h", "a");
    assertThatThrownBy(() -> r.counter("ok_total", "h"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.inc()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.add(-1, "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
