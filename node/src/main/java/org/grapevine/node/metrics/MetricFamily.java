package org.grapevine.node.metrics;

import java.util.List;
import java.util.Map;

/**
 * One metric at one moment: its samples, one per label combination, in a stable order.
 *
 * @param type "counter" or "gauge", as Prometheus spells them
 */
public record MetricFamily(String name, String type, String help, List<Sample> samples) {
  public MetricFamily {
    samples = List.copyOf(samples);
  }

  /** One series: label name to value (in the family's label order), and the current value. */
  public record Sample(Map<String, String> labels, long value) {}
}
