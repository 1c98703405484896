package org.grapevine.simulations.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one object of a scenario file: each accessor takes the key, the default and what is
 * allowed, and on a bad value records a {@link ScenarioProblem} and returns the default, so that
 * one pass finds every problem. {@link #finish} reports keys nobody asked for (typos, or keys of
 * another model).
 */
final class Fields {
  private static final int MAX_SHOWN_CHARS = 60;

  private final JsonNode node;
  private final String path;
  private final List<ScenarioProblem> problems;
  private final Set<String> asked = new LinkedHashSet<>();

  Fields(JsonNode node, String path, List<ScenarioProblem> problems) {
    this.node = node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : node;
    this.path = path;
    this.problems = problems;
    if (!this.node.isObject()) {
      problem("", this.node, "an object (key: value lines)");
    }
  }

  boolean has(String key) {
    asked.add(key);
    return node.isObject() && node.has(key) && !node.get(key).isNull();
  }

  String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, JsonNode value, String allowed) {
    problems.add(
        new ScenarioProblem(
            key.isEmpty() ? (path.isEmpty() ? "$" : path) : at(key), show(value), allowed));
  }

  void problemAt(String fullPath, String value, String allowed) {
    problems.add(new ScenarioProblem(fullPath, value, allowed));
  }

  JsonNode raw(String key) {
    return has(key) ? node.get(key) : null;
  }

  int integer(String key, int def, int min, int max) {
    if (!has(key)) {
      return def;
    }
    JsonNode v = node.get(key);
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      problem(key, v, "a whole number from " + min + " to " + max);
      return def;
    }
    return v.asInt();
  }

  long longValue(String key, long def) {
    if (!has(key)) {
      return def;
    }
    JsonNode v = node.get(key);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      problem(key, v, "a whole number (64-bit)");
      return def;
    }
    return v.asLong();
  }

  double number(String key, double def, double min, double max) {
    if (!has(key)) {
      return def;
    }
    JsonNode v = node.get(key);
    if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
      problem(key, v, "a number from " + min + " to " + max);
      return def;
    }
    return v.asDouble();
  }

  boolean bool(String key, boolean def) {
    if (!has(key)) {
      return def;
    }
    JsonNode v = node.get(key);
    if (!v.isBoolean()) {
      problem(key, v, "true or false");
      return def;
    }
    return v.asBoolean();
  }

  String text(String key, String def) {
    if (!has(key)) {
      return def;
    }
    JsonNode v = node.get(key);
    if (!v.isTextual() && !v.isNumber()) {
      problem(key, v, "a text");
      return def;
    }
    return v.asText();
  }

  /** A duration: seconds as a number, or a text with a unit (ns, us, ms, s, m, h). */
  long duration(String key, long defNanos, long minNanos, long maxNanos) {
    if (!has(key)) {
      return defNanos;
    }
    JsonNode v = node.get(key);
    long nanos =
        v.isNumber()
            ? (v.asDouble() >= 0 ? Math.round(v.asDouble() * 1e9) : -1)
            : v.isTextual() ? Durations.parseNanos(v.asText()) : -1;
    if (nanos < minNanos || nanos > maxNanos) {
      problem(
          key,
          v,
          "a duration from "
              + Durations.format(minNanos)
              + " to "
              + Durations.format(maxNanos)
              + " (seconds, or a number with ns, us, ms, s, m or h)");
      return defNanos;
    }
    return nanos;
  }

  /**
   * One of {@code allowed} (case-insensitive; '-' and '_' are the same); returns the enum constant
   * name form.
   */
  <E extends Enum<E>> E choice(String key, E def, Class<E> type) {
    if (!has(key)) {
      return def;
    }
    JsonNode v = node.get(key);
    String want = v.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (v.isTextual() && e.name().equals(want)) {
        return e;
      }
    }
    problem(key, v, "one of " + String.join(", ", names(type)));
    return def;
  }

  static <E extends Enum<E>> List<String> names(Class<E> type) {
    List<String> out = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      out.add(name(e));
    }
    return out;
  }

  /** The file form of an enum constant: {@code RANDOM_REGULAR} is {@code random-regular}. */
  static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  Fields object(String key) {
    return new Fields(raw(key), at(key), problems);
  }

  /** The elements of a list of objects; empty when missing. */
  List<Fields> objects(String key) {
    List<Fields> out = new ArrayList<>();
    JsonNode v = raw(key);
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      problem(key, v, "a list");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      out.add(new Fields(v.get(i), at(key) + "[" + i + "]", problems));
    }
    return out;
  }

  /**
   * A list of lists of node numbers, each inner list of {@code width} elements (or any size when
   * 0).
   */
  List<int[]> nodeLists(String key, int nodeCount, int width, int maxLists) {
    List<int[]> out = new ArrayList<>();
    JsonNode v = raw(key);
    if (v == null) {
      return out;
    }
    if (!v.isArray() || v.size() > maxLists) {
      problem(key, v, "a list of at most " + maxLists + " lists of node numbers");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode inner = v.get(i);
      String where = at(key) + "[" + i + "]";
      if (!inner.isArray() || (width > 0 && inner.size() != width)) {
        problemAt(
            where,
            show(inner),
            width > 0
                ? "a list of " + width + " node numbers, e.g. [0, 1]"
                : "a list of node numbers");
        continue;
      }
      int[] row = new int[inner.size()];
      boolean ok = true;
      for (int j = 0; j < inner.size(); j++) {
        JsonNode n = inner.get(j);
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() >= nodeCount) {
          problemAt(where + "[" + j + "]", show(n), "a node number from 0 to " + (nodeCount - 1));
          ok = false;
        } else {
          row[j] = n.asInt();
        }
      }
      if (ok) {
        out.add(row);
      }
    }
    return out;
  }

  /** A flat list of node numbers; empty when missing. */
  List<Integer> nodeList(String key, int nodeCount) {
    List<Integer> out = new ArrayList<>();
    JsonNode v = raw(key);
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      problem(key, v, "a list of node numbers, e.g. [0, 5, 9]");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode x = v.get(i);
      if (!x.isIntegralNumber() || x.asLong() < 0 || x.asLong() >= nodeCount) {
        problemAt(at(key) + "[" + i + "]", show(x), "a node number from 0 to " + (nodeCount - 1));
      } else {
        out.add(x.asInt());
      }
    }
    return out;
  }

  /** Reports every key of this object that no accessor asked for. */
  void finish() {
    if (!node.isObject()) {
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!asked.contains(key)) {
        problems.add(
            new ScenarioProblem(
                at(key),
                "an unknown key",
                asked.isEmpty()
                    ? "no keys here"
                    : "one of the keys "
                        + String.join(", ", asked)
                        + " (some keys apply only to some models)"));
      }
    }
  }

  static String show(JsonNode v) {
    if (v == null) {
      return "(missing)";
    }
    String s = v.toString();
    return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS - 3) + "...";
  }
}
