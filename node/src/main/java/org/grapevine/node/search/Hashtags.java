package org.grapevine.node.search;

import java.util.List;

/** A post's hashtags as search indexes them, for other parts of the node (feeds). */
public final class Hashtags {
  private Hashtags() {}

  /**
   * The lower-case hashtags of a text, without {@code #}, in order, each once, at most 32 (the
   * search index's rule).
   */
  public static List<String> of(String text) {
    return List.copyOf(SearchDocuments.hashtags(text));
  }
}
