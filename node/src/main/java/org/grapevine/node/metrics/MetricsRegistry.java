package org.grapevine.node.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The node's metrics: named counters with labels and gauges read on demand. Thread-safe. Read with
 * {@link #snapshot()} (for JSON) or {@link PrometheusText#write} (for scrapers).
 */
public final class MetricsRegistry {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final Map<String, Object> metrics = new ConcurrentSkipListMap<>();

  /** Registers a counter (names end in {@code _total} by convention). */
  public Counter counter(String name, String help, String... labelNames) {
    check(name, labelNames);
    Counter c = new Counter(name, help, List.of(labelNames));
    register(name, c);
    return c;
  }

  /**
   * Registers a gauge whose value is read at every snapshot; {@code value} must be cheap and
   * thread-safe.
   */
  public void gauge(String name, String help, LongSupplier value) {
    check(name);
    register(name, new Gauge(name, help, value));
  }

  /**
   * Registers a counter kept elsewhere, one sample per label value, read at every snapshot; {@code
   * values} must be cheap and thread-safe.
   */
  public void counterFamily(
      String name, String help, String labelName, Supplier<Map<String, Long>> values) {
    check(name, labelName);
    register(name, new ReadCounter(name, help, labelName, values));
  }

  /** Every metric, in name order. */
  public List<MetricFamily> snapshot() {
    List<MetricFamily> out = new ArrayList<>();
    for (Object m : metrics.values()) {
      if (m instanceof Counter c) {
        out.add(c.snapshot());
      } else if (m instanceof ReadCounter r) {
        out.add(r.snapshot());
      } else {
        out.add(((Gauge) m).snapshot());
      }
    }
    return out;
  }

  private void register(String name, Object metric) {
    if (metrics.putIfAbsent(name, metric) != null) {
      throw new IllegalArgumentException("metric " + name + " is already registered");
    }
  }

  private static void check(String name, String... labelNames) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a metric name: " + name);
    }
    for (String l : labelNames) {
      if (!LABEL_NAME.matcher(l).matches() || l.startsWith("__")) {
        throw new IllegalArgumentException("not a label name: " + l);
      }
    }
  }

  private record ReadCounter(
      String name, String help, String labelName, Supplier<Map<String, Long>> values) {
    MetricFamily snapshot() {
      List<MetricFamily.Sample> samples = new ArrayList<>();
      new java.util.TreeMap<>(values.get())
          .forEach((k, v) -> samples.add(new MetricFamily.Sample(Map.of(labelName, k), v)));
      return new MetricFamily(name, "counter", help, samples);
    }
  }

  private record Gauge(String name, String help, LongSupplier value) {
    MetricFamily snapshot() {
      return new MetricFamily(
          name, "gauge", help, List.of(new MetricFamily.Sample(Map.of(), value.getAsLong())));
    }
  }
}
