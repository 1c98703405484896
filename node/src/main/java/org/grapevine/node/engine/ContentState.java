package org.grapevine.node.engine;

/**
 * What a node holds of an entry's content (issue 12: "deleted" and "content not held" are different
 * states). An entry is deleted only when a held delete entry names it; content that is merely not
 * here is missing, with why.
 */
public enum ContentState {
  /** The content is held. */
  HELD,
  /** A held delete entry of the same identity names the entry: its content is gone for good. */
  DELETED,
  /** Missing: the identity is at this node's quota ({@link Budgets}), so it is not fetched. */
  MISSING_OVER_QUOTA,
  /** Missing: not fetched yet; the node asks peers that sync with it for it, by hash. */
  MISSING_NOT_FETCHED
}
