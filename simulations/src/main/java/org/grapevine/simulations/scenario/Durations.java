package org.grapevine.simulations.scenario;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in scenario files: a number of seconds, or a number with a unit (ns, us, ms, s, m, h).
 */
public final class Durations {
  private static final Pattern FORM =
      Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|s|m|h)?\\s*");

  private Durations() {}

  /** Nanoseconds, or -1 when the text is not a duration. */
  public static long parseNanos(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return -1;
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double scale =
        switch (unit) {
          case "ns" -> 1;
          case "us" -> 1e3;
          case "ms" -> 1e6;
          case "s" -> 1e9;
          case "m" -> 60e9;
          default -> 3600e9;
        };
    double nanos = value * scale;
    return nanos > Long.MAX_VALUE / 2.0 ? -1 : Math.round(nanos);
  }

  /** The shortest exact text form: {@code 10s}, {@code 250ms}, {@code 1500us}, {@code 7ns}. */
  static String format(long nanos) {
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }
}
