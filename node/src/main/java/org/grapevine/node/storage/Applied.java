package org.grapevine.node.storage;

/**
 * What {@link PostStore#apply} did beyond appending the entry (issue 12, cases 3 and 4).
 *
 * @param contentDropped the entry came with its content, but a held delete of its identity names it
 *     (the delete arrived first): it was stored without its content
 * @param purgedEntries for a revocation: the revoked device's entries after its last valid seq that
 *     were held and are now removed, with their content and every row derived from them
 */
public record Applied(boolean contentDropped, int purgedEntries) {
  /** Appended as it came; nothing else happened. */
  public static final Applied PLAIN = new Applied(false, 0);

  public Applied {
    if (purgedEntries < 0) {
      throw new IllegalArgumentException("purgedEntries " + purgedEntries);
    }
  }
}
