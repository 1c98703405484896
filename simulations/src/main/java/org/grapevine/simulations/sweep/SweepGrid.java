package org.grapevine.simulations.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioException;
import org.grapevine.simulations.scenario.ScenarioProblem;
import org.grapevine.simulations.scenario.ScenarioReader;

/**
 * The grid of a sweep: every combination of the swept parameters' values, each applied to the base
 * scenario's text and read back through {@link ScenarioReader}, so every point is checked like a
 * scenario file (a value the scenario does not allow is reported with its point). Keys are scenario
 * paths ({@code protocol.gossip.d}, {@code nodes.count}, {@code latency.oneWay}); the GossipSub
 * spec's names {@code D}, {@code D_lo}, {@code D_hi}, {@code D_lazy} (also under {@code protocol.})
 * stand for the router's {@code protocol.gossip.d}, {@code dLo}, {@code dHi}, {@code dLazy}.
 */
public final class SweepGrid {
  /** At most this many points: a sweep is a grid of a few values each, not a search. */
  public static final int MAX_POINTS = 1000;

  private static final int MAX_VALUES = 100;
  private static final Map<String, String> ALIASES =
      Map.of(
          "D",
          "protocol.gossip.d",
          "D_lo",
          "protocol.gossip.dLo",
          "D_hi",
          "protocol.gossip.dHi",
          "D_lazy",
          "protocol.gossip.dLazy");

  /** One swept parameter: the key as given, its scenario path, and its values as text. */
  public record Param(String key, String path, List<String> values) {}

  /** One point: the value of each parameter (in parameter order) and the scenario it gives. */
  public record Point(List<String> values, Scenario scenario) {
    /**
     * A folder name: {@code key=value} for each parameter, joined by {@code +} (safe in shells and
     * CSV).
     */
    public String label(List<Param> params) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < params.size(); i++) {
        b.append(i == 0 ? "" : "+").append(params.get(i).key()).append('=').append(values.get(i));
      }
      return b.toString().replaceAll("[^A-Za-z0-9._=+-]", "_");
    }
  }

  private final List<Param> params;
  private final List<Point> points;

  private SweepGrid(List<Param> params, List<Point> points) {
    this.params = params;
    this.points = points;
  }

  public List<Param> params() {
    return params;
  }

  public List<Point> points() {
    return points;
  }

  /**
   * Parses {@code key=v1,v2,...} arguments.
   *
   * @throws IllegalArgumentException saying which argument is malformed (the user's mistake)
   */
  public static List<Param> parseParams(List<String> args) {
    List<Param> out = new ArrayList<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0 || eq == a.length() - 1) {
        throw new IllegalArgumentException(
            "--param " + a + ": expected key=value1,value2,... (e.g. D=4,6,8)");
      }
      String key = a.substring(0, eq).trim();
      List<String> values = new ArrayList<>();
      for (String v : a.substring(eq + 1).split(",", -1)) {
        if (v.isBlank()) {
          throw new IllegalArgumentException("--param " + a + ": an empty value");
        }
        values.add(v.trim());
      }
      if (values.size() > MAX_VALUES) {
        throw new IllegalArgumentException(
            "--param " + key + ": " + values.size() + " values, at most " + MAX_VALUES);
      }
      String path =
          ALIASES.getOrDefault(
              key.startsWith("protocol.") ? key.substring("protocol.".length()) : key, key);
      if (!path.matches("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*")) {
        throw new IllegalArgumentException(
            "--param " + key + ": not a scenario path (keys joined by dots, e.g. nodes.count)");
      }
      if (out.stream().anyMatch(p -> p.path().equals(path))) {
        throw new IllegalArgumentException("--param " + key + ": swept twice");
      }
      out.add(new Param(key, path, List.copyOf(values)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "a sweep needs at least one --param key=value1,value2,...");
    }
    return List.copyOf(out);
  }

  /**
   * Every combination of the values applied to the base scenario text, each read and checked.
   *
   * @throws ScenarioException with every problem of every point, each path prefixed by its point
   */
  public static SweepGrid build(String baseText, String source, List<Param> params)
      throws ScenarioException {
    long total = 1;
    for (Param p : params) {
      total *= p.values().size();
      if (total > MAX_POINTS) {
        throw new ScenarioException(
            source,
            List.of(
                new ScenarioProblem(
                    "--param",
                    "more than " + MAX_POINTS + " points",
                    "a grid of at most " + MAX_POINTS + " points")));
      }
    }
    JsonNode base;
    try {
      base = new ObjectMapper(new YAMLFactory()).readTree(baseText);
    } catch (JsonProcessingException e) {
      ScenarioReader.parse(
          baseText, source); // Explains the syntax error in the scenario's own words.
      throw new IllegalStateException(e);
    }
    if (base == null || base.isMissingNode() || base.isNull()) {
      base = JsonNodeFactory.instance.objectNode();
    }
    List<Point> points = new ArrayList<>();
    List<ScenarioProblem> problems = new ArrayList<>();
    int[] index = new int[params.size()];
    for (long n = 0; n < total; n++) {
      List<String> values = new ArrayList<>();
      ObjectNode tree = base.deepCopy();
      for (int i = 0; i < params.size(); i++) {
        String v = params.get(i).values().get(index[i]);
        values.add(v);
        set(tree, params.get(i).path(), v, problems);
      }
      Point label = new Point(values, null);
      try {
        points.add(new Point(List.copyOf(values), ScenarioReader.parse(tree.toString(), source)));
      } catch (ScenarioException e) {
        for (ScenarioProblem p : e.problems()) {
          problems.add(
              new ScenarioProblem(
                  "[" + label.label(params) + "] " + p.path(), p.value(), p.allowed()));
        }
      }
      for (int i = params.size() - 1; i >= 0; i--) { // Odometer: the last parameter varies fastest.
        if (++index[i] < params.get(i).values().size()) {
          break;
        }
        index[i] = 0;
      }
    }
    if (!problems.isEmpty()) {
      throw new ScenarioException(source, problems);
    }
    return new SweepGrid(params, List.copyOf(points));
  }

  private static void set(
      ObjectNode tree, String path, String value, List<ScenarioProblem> problems) {
    String[] keys = path.split("\\.", -1);
    ObjectNode at = tree;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode next = at.get(keys[i]);
      if (next == null || next.isNull()) {
        next = at.putObject(keys[i]);
      } else if (!next.isObject()) {
        problems.add(
            new ScenarioProblem(path, "a value at " + keys[i], "a path through objects only"));
        return;
      }
      at = (ObjectNode) next;
    }
    at.set(keys[keys.length - 1], scalar(value));
  }

  /** A command-line value as the YAML scalar it would be in a file: number, boolean or text. */
  static JsonNode scalar(String v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v.matches("-?[0-9]+")) {
      try {
        return f.numberNode(Long.parseLong(v));
      } catch (NumberFormatException tooLong) {
        return f.textNode(v);
      }
    }
    if (v.matches("-?[0-9]*\\.[0-9]+([eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+")) {
      return f.numberNode(Double.parseDouble(v));
    }
    if (v.equals("true") || v.equals("false")) {
      return f.booleanNode(Boolean.parseBoolean(v));
    }
    return f.textNode(v);
  }

  /** The values of the grid as a map, for reports. */
  public Map<String, List<String>> valuesByKey() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    params.forEach(p -> m.put(p.key(), p.values()));
    return m;
  }
}
