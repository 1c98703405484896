package org.grapevine.libp2p.interop;

import java.util.List;
import java.util.Map;

/**
 * One line of a js peer's stdout: {@code {"event":"<name>", ...fields}} (see
 * libp2p/src/test/js/README.md for the events and their fields). A line that is not a JSON object
 * becomes an event named {@value #NOT_JSON} with the text in field {@code line}.
 *
 * <p>Accessors throw {@link AssertionError} naming the line when a field is missing or has another
 * type, since in a test that means the peer did not say what the test expects.
 */
public final class JsEvent {
  /**
   * Name given to stdout lines that are not JSON objects (should not happen; kept for diagnosis).
   */
  public static final String NOT_JSON = "not-json";

  private final String name;
  private final Map<String, Object> fields;
  private final String line;

  private JsEvent(String name, Map<String, Object> fields, String line) {
    this.name = name;
    this.fields = fields;
    this.line = line;
  }

  /** Parses one stdout line; never throws. */
  static JsEvent parse(String line) {
    try {
      Map<String, Object> fields = MiniJson.parseObject(line);
      if (fields.get("event") instanceof String name) {
        return new JsEvent(name, fields, line);
      }
    } catch (IllegalArgumentException notJson) {
      // falls through: kept as a raw line
    }
    return new JsEvent(NOT_JSON, Map.of("event", NOT_JSON, "line", line), line);
  }

  /** The event name: listening, connected, identify, ping, echo, echo-total, echoed, error, … */
  public String name() {
    return name;
  }

  /** All fields, including {@code event}, in the order printed. */
  public Map<String, Object> fields() {
    return fields;
  }

  public boolean has(String field) {
    return fields.get(field) != null;
  }

  public String string(String field) {
    return typed(field, String.class);
  }

  public long number(String field) {
    Object v = fields.get(field);
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && d == Math.rint(d)) {
      return d.longValue();
    }
    throw new AssertionError("field '" + field + "' is not an integer in " + line);
  }

  public double decimal(String field) {
    return typed(field, Number.class).doubleValue();
  }

  public boolean bool(String field) {
    return typed(field, Boolean.class);
  }

  /** A field holding an array of strings (addrs, protocols, listenAddrs). */
  public List<String> strings(String field) {
    List<?> list = typed(field, List.class);
    for (Object o : list) {
      if (!(o instanceof String)) {
        throw new AssertionError("field '" + field + "' is not an array of strings in " + line);
      }
    }
    @SuppressWarnings("unchecked")
    List<String> strings = (List<String>) list;
    return strings;
  }

  /** A field holding an array of objects (the providers, peers and responses of dht-result). */
  public List<Map<String, Object>> objects(String field) {
    List<?> list = typed(field, List.class);
    for (Object o : list) {
      if (!(o instanceof Map)) {
        throw new AssertionError("field '" + field + "' is not an array of objects in " + line);
      }
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> objects = (List<Map<String, Object>>) list;
    return objects;
  }

  /** The line exactly as the peer printed it. */
  public String line() {
    return line;
  }

  private <T> T typed(String field, Class<T> type) {
    Object v = fields.get(field);
    if (!type.isInstance(v)) {
      throw new AssertionError(
          "field '"
              + field
              + "' is "
              + (v == null ? "missing" : "not a " + type.getSimpleName())
              + " in "
              + line);
    }
    return type.cast(v);
  }

  @Override
  public String toString() {
    return line;
  }
}
