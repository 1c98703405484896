package org.grapevine.simulations.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes objects as YAML, one file per object, {@code NN-kind-name.yaml} numbered in creation order
 * (so {@code kubectl apply -f DIR} creates the ConfigMap and Services before what uses them, and a
 * reader sees one object per file). Objects meant for after the run go to {@code DIR/after/}, which
 * {@code kubectl apply -f DIR} does not enter.
 */
public final class ManifestFiles {
  public static final String AFTER = "after";

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private ManifestFiles() {}

  /** The object as YAML (what the API server receives, as JSON, from {@code run}). */
  public static String yaml(HasMetadata o) {
    return YAML.asYaml(o);
  }

  /** Writes the objects into {@code dir}; returns the files in order. */
  public static List<Path> write(Path dir, List<? extends HasMetadata> objects) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    int n = 0;
    for (HasMetadata o : objects) {
      Path f =
          dir.resolve(
              String.format(
                  Locale.ROOT,
                  "%02d-%s-%s.yaml",
                  ++n,
                  o.getKind().toLowerCase(Locale.ROOT),
                  o.getMetadata().getName()));
      Files.writeString(f, yaml(o), StandardCharsets.UTF_8);
      files.add(f);
    }
    return files;
  }
}
