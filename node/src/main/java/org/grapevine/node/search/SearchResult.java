package org.grapevine.node.search;

import java.util.List;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;

/**
 * What a search found, best first (score, then newest).
 *
 * @param posts ids of matching held posts (read them from the store: one may be gone by then)
 * @param profiles identities whose latest profile matches the words
 * @param unknownFrom the {@code from:} values that named no identity and no held profile's name
 */
public record SearchResult(
    List<EntryId> posts, List<ProfileHit> profiles, List<String> unknownFrom) {
  public SearchResult {
    posts = List.copyOf(posts);
    profiles = List.copyOf(profiles);
    unknownFrom = List.copyOf(unknownFrom);
  }

  /** A matching profile as indexed: the identity's latest profile entry, name and bio. */
  public record ProfileHit(Identity identity, EntryId entry, String name, String bio) {}
}
