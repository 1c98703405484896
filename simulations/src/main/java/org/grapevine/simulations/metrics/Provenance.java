package org.grapevine.simulations.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * What a run's figures came from, recorded in {@code results.json} as {@code provenance}: the code
 * version (the commit the simulator was built from, with {@code -dirty} when the working tree had
 * changes, from {@code git.properties} written at build time) and the SHA-256 of the scenario as
 * run ({@code scenario.yaml}, every default filled in), so two result folders can be told to come
 * from the same code and the same scenario without trusting their names.
 *
 * @param codeVersion the commit id, {@code -dirty} appended for uncommitted changes; {@code
 *     unknown} when the jar was built outside a git clone
 * @param codeTime the commit's time (ISO 8601), or {@code unknown}
 * @param scenarioSha256 hex SHA-256 of the {@code scenario.yaml} bytes
 */
public record Provenance(String codeVersion, String codeTime, String scenarioSha256) {
  static final String RESOURCE = "/org/grapevine/simulations/git.properties";

  /** The provenance of a run of {@code scenarioYaml} by this build. */
  public static Provenance of(String scenarioYaml) {
    Properties git = gitProperties();
    String commit = git.getProperty("git.commit.id", "");
    String version =
        commit.isEmpty()
            ? "unknown"
            : commit + ("true".equals(git.getProperty("git.dirty")) ? "-dirty" : "");
    return new Provenance(
        version, git.getProperty("git.commit.time", "unknown"), sha256(scenarioYaml));
  }

  /** As the {@code provenance} object of {@code results.json}. */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("codeVersion", codeVersion);
    o.put("codeTime", codeTime);
    o.put("scenarioSha256", scenarioSha256);
    return o;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static Properties gitProperties() {
    Properties p = new Properties();
    try (InputStream in = Provenance.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE + " from the simulator's jar", e);
    }
    return p;
  }
}
