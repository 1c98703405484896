package org.grapevine.node.media;

/** Who asks the store to keep a file: our own user (never refused by budgets) or a peer's entry. */
public enum MediaOrigin {
  OWN,
  PEER
}
