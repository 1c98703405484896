package org.grapevine.node.storage;

import org.grapevine.protocol.entry.SignedEntry;

/**
 * Two entries that prove an author signed two histories (both carry its signature).
 *
 * @param held the entry held at the fork point (same seq, or the predecessor {@code incoming} does
 *     not name)
 * @param incoming the conflicting entry
 */
public record ForkEvidence(SignedEntry held, SignedEntry incoming) {}
