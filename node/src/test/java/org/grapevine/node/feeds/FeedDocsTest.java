package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/FEEDS.md tells the truth: every name of the view with its type, and each built-in's source.
 */
class FeedDocsTest {
  private static String doc() throws Exception {
    return Files.readString(Path.of("..", "docs", "FEEDS.md"));
  }

  @Test
  void everyViewNameIsDocumentedWithItsType() throws Exception {
    String doc = doc();
    Map<String, String> types =
        Map.of("string", "string", "int", "int", "double", "double", "bool", "bool");
    for (ViewField f : ViewField.values()) {
      String type = f.type.name().startsWith("list") ? "list(string)" : types.get(f.type.name());
      assertThat(doc)
          .as(f.name)
          .contains("| `" + f.name + "` | " + type + " | " + f.meaning + " |");
    }
    // And nothing documented that the language does not know.
    long rows = doc.lines().filter(l -> l.startsWith("| `")).count();
    assertThat(rows).isEqualTo(ViewField.values().length);
  }

  @Test
  void everyBuiltInIsShownWithItsSource() throws Exception {
    String doc = doc();
    for (Map.Entry<String, FeedDefinition> b : BuiltInFeeds.ALL.entrySet()) {
      assertThat(doc).contains("### `" + b.getKey() + "`: " + b.getValue().name());
      assertThat(doc).contains("filter: " + b.getValue().filter());
      assertThat(doc).contains("score:  " + b.getValue().score());
      assertThat(doc).contains(b.getValue().description());
    }
  }
}
