package org.grapevine.simulations.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.simulations.metrics.OutputFiles;
import org.grapevine.simulations.scenario.ScenarioException;

/**
 * What a sweep's grid is made from: the base scenario's text, its name for messages, and the swept
 * parameters. Written as {@code sweep-spec.json} into the sweep folder (and into a ConfigMap on
 * Kubernetes), so a worker process or pod rebuilds exactly the grid of the parent ({@link
 * SweepGrid#build} is deterministic) and runs one point of it by index.
 */
public record SweepSpec(String source, String baseText, List<SweepGrid.Param> params) {
  public static final String FILE = "sweep-spec.json";

  /** A spec file larger than this is refused: a scenario is a few KiB, the grid a few values. */
  public static final long MAX_BYTES = 1 << 20;

  public SweepSpec {
    params = List.copyOf(params);
  }

  /** The grid, every point checked. */
  public SweepGrid grid() throws ScenarioException {
    return SweepGrid.build(baseText, source, params);
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("source", source);
    o.put("baseText", baseText);
    ArrayNode ps = o.putArray("params");
    for (SweepGrid.Param p : params) {
      ObjectNode po = ps.addObject();
      po.put("key", p.key());
      po.put("path", p.path());
      p.values().forEach(po.putArray("values")::add);
    }
    return o;
  }

  /** The spec as the text of {@link #FILE}. */
  public String toText() {
    return OutputFiles.jsonText(toJson());
  }

  public void write(Path file) throws IOException {
    OutputFiles.writeJson(file, toJson());
  }

  /**
   * Reads a spec file.
   *
   * @throws IOException if it cannot be read, is larger than {@link #MAX_BYTES}, or is not a spec
   *     written by {@link #write} (the message says which field is wrong)
   */
  public static SweepSpec read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException(
          file + ": " + Files.size(file) + " bytes, a sweep spec has at most " + MAX_BYTES);
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses the text of a spec file; {@code where} names it in messages. */
  public static SweepSpec parse(String text, String where) throws IOException {
    if (text.length() > MAX_BYTES) {
      throw new IOException(where + ": larger than " + MAX_BYTES + " bytes, not a sweep spec");
    }
    JsonNode root = new ObjectMapper().readTree(text);
    if (root == null
        || !root.path("source").isTextual()
        || !root.path("baseText").isTextual()
        || !root.path("params").isArray()) {
      throw new IOException(
          where + ": not a sweep spec (expected fields source, baseText and params)");
    }
    List<SweepGrid.Param> params = new ArrayList<>();
    for (JsonNode p : root.path("params")) {
      if (!p.path("key").isTextual()
          || !p.path("path").isTextual()
          || !p.path("values").isArray()) {
        throw new IOException(where + ": a parameter without key, path and values: " + p);
      }
      List<String> values = new ArrayList<>();
      p.path("values").forEach(v -> values.add(v.asText()));
      params.add(new SweepGrid.Param(p.path("key").asText(), p.path("path").asText(), values));
    }
    return new SweepSpec(root.path("source").asText(), root.path("baseText").asText(), params);
  }
}
