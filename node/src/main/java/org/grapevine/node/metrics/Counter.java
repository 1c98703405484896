package org.grapevine.node.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonic counter with labels; one {@link LongAdder} per label combination, so hot paths on
 * several threads do not contend. Label values must come from small fixed sets (route templates,
 * outcome kinds), never from input: at most {@link #MAX_SERIES} combinations are kept, further ones
 * are counted under every label set to {@code "other"} so that nothing is lost silently.
 */
public final class Counter {
  public static final int MAX_SERIES = 1000;

  private final String name;
  private final String help;
  private final List<String> labelNames;
  private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

  Counter(String name, String help, List<String> labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = List.copyOf(labelNames);
  }

  public void inc(String... labelValues) {
    add(1, labelValues);
  }

  public void add(long delta, String... labelValues) {
    if (delta < 0) {
      throw new IllegalArgumentException("counters only go up, got " + delta);
    }
    adder(labelValues).add(delta);
  }

  /** The current value of one series (0 if it was never incremented). */
  public long value(String... labelValues) {
    LongAdder a = series.get(key(labelValues));
    return a == null ? 0 : a.sum();
  }

  MetricFamily snapshot() {
    List<MetricFamily.Sample> samples = new ArrayList<>();
    series.entrySet().stream()
        .sorted(
            (a, b) ->
                Arrays.compare(
                    a.getKey().toArray(new String[0]), b.getKey().toArray(new String[0])))
        .forEach(
            e -> {
              Map<String, String> labels = new LinkedHashMap<>();
              for (int i = 0; i < labelNames.size(); i++) {
                labels.put(labelNames.get(i), e.getKey().get(i));
              }
              samples.add(new MetricFamily.Sample(labels, e.getValue().sum()));
            });
    return new MetricFamily(name, "counter", help, samples);
  }

  private LongAdder adder(String[] labelValues) {
    List<String> key = key(labelValues);
    LongAdder a = series.get(key);
    if (a != null) {
      return a;
    }
    if (series.size() >= MAX_SERIES) {
      key = java.util.Collections.nCopies(labelNames.size(), "other");
    }
    return series.computeIfAbsent(key, k -> new LongAdder());
  }

  private List<String> key(String[] labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(
          name + " has labels " + labelNames + ", got " + labelValues.length + " values");
    }
    for (String v : labelValues) {
      if (v == null) {
        throw new IllegalArgumentException(name + ": null label value");
      }
    }
    return List.of(labelValues);
  }
}
