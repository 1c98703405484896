package org.grapevine.node.search;

import java.io.IOException;
import java.util.List;

/** Test access to a search index's documents from other packages. */
public final class SearchIndexes {
  private SearchIndexes() {}

  /** {@link SearchIndex#dump}: every document as one sorted line. */
  public static List<String> dump(SearchIndex index) throws IOException {
    return index.dump();
  }
}
