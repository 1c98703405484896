package org.grapevine.node.core;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * Whom one identity follows, as its follow and unfollow entries decide: for each target, the latest
 * of them (by timestamp, over all its devices) wins. Built by walking its held logs once ({@link
 * #walk}) and then kept up to date entry by entry ({@link #apply}), so that the extended circle
 * ({@link Circle}) does not walk a log for every follow entry stored. Bounded by the identity's
 * distinct targets, which its held logs bound.
 */
public final class FollowDecisions {
  private final Identity of;
  private final Map<Identity, Long> latest = new HashMap<>();
  private final Set<Identity> follows = new TreeSet<>();

  public FollowDecisions(Identity of) {
    this.of = of;
  }

  /** The decisions of every follow and unfollow entry the store holds of {@code of}. */
  public static FollowDecisions walk(PostStore store, Identity of) {
    FollowDecisions out = new FollowDecisions(of);
    for (AuthorKey d : store.devices(of).keySet()) {
      for (long seq = 1; seq <= store.contiguousHead(d); seq++) {
        Optional<SignedEntry> h = store.entry(d, seq);
        ContentKind k = h.map(e -> e.header().kind()).orElse(ContentKind.UNKNOWN);
        if (k != ContentKind.FOLLOW && k != ContentKind.UNFOLLOW) {
          continue; // Headers only: the content is read for follows and unfollows.
        }
        Optional<Identity> named = store.logEntry(d, seq).flatMap(FollowDecisions::target);
        if (named.isPresent()) {
          out.apply(named.get(), h.get().header().timestampMillis(), k == ContentKind.FOLLOW);
        }
      }
    }
    return out;
  }

  /** Applies one stored entry of {@code of}, if it is a follow or unfollow with its content. */
  public void apply(LogEntry e) {
    target(e)
        .ifPresent(
            t -> apply(t, e.header().timestampMillis(), e.header().kind() == ContentKind.FOLLOW));
  }

  /**
   * The identity a follow or unfollow entry names; empty for another kind or without its content.
   */
  public static Optional<Identity> target(LogEntry e) {
    ContentKind k = e.header().kind();
    if ((k != ContentKind.FOLLOW && k != ContentKind.UNFOLLOW) || e.content().isEmpty()) {
      return Optional.empty();
    }
    // Stored content passed ContentRules: the identity field is a 32-byte root key.
    var c = e.content().get();
    return Optional.of(
        Identity.of(
            (k == ContentKind.FOLLOW ? c.getFollow().getIdentity() : c.getUnfollow().getIdentity())
                .toByteArray()));
  }

  /**
   * A follow ({@code follow} true) or unfollow of {@code target} at {@code timestampMillis}: it
   * decides unless an entry of a later time decided already (at the same time, the later applied
   * wins, as in a walk in log order). Following oneself is no follow.
   */
  public void apply(Identity target, long timestampMillis, boolean follow) {
    if (target.equals(of) || timestampMillis < latest.getOrDefault(target, 0L)) {
      return;
    }
    latest.put(target, timestampMillis);
    if (follow) {
      follows.add(target);
    } else {
      follows.remove(target);
    }
  }

  /** The identities followed, in key order (a view). */
  public Set<Identity> follows() {
    return Collections.unmodifiableSet(follows);
  }
}
