package org.grapevine.node.feeds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.grapevine.node.search.Hashtags;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;

/**
 * The candidates feeds rank, in memory: the newest posts and reposts held, each with what answers
 * it ({@link Candidate}). Fed with entries in the order they arrive ({@link #add}), each given the
 * next arrival number; a deleted candidate goes at once, a deleted answer stops counting.
 *
 * <p>Bounded: at most {@code maxCandidates} (the newest by timestamp stay when {@link #prune}
 * runs), and answers whose post is not (yet) held at most {@link #MAX_ORPHANS} (oldest dropped
 * first, counted in {@link #orphansDropped}). Every change to a candidate is logged ({@link
 * #changedSince}) so that a ranking can be brought up to date by re-ranking only those.
 *
 * <p>Not thread-safe: the {@link FeedEngine} confines it.
 */
final class FeedWindow {
  static final int MAX_ORPHANS = 100_000;
  static final int MAX_CHANGES = 200_000;

  private final Map<EntryId, Candidate> candidates = new HashMap<>();

  static final int MAX_INTERNED = 200_000;
  private final Map<Identity, Identity> interned = new HashMap<>();

  /** An answer's entry id to the candidate it answers (for deletes and de-duplication). */
  private final Map<EntryId, EntryId> answered = new HashMap<>();

  /** Answers to posts not held here yet, by the answered id, oldest first. */
  private final LinkedHashMap<EntryId, List<Orphan>> orphans = new LinkedHashMap<>();

  private int orphanCount;
  private long orphansDropped;
  private final int maxCandidates;
  private long seq;

  /** (arrival number, candidate) of every change, oldest first; see {@link #changedSince}. */
  private final ArrayList<long[]> changeSeqs = new ArrayList<>();

  private final ArrayList<EntryId> changeIds = new ArrayList<>();
  private long changesForgottenUpTo;

  private record Orphan(Slot slot, Candidate.Answer answer) {}

  private enum Slot {
    REACTION,
    REPLY,
    REPOST,
    QUOTE,
    THREAD
  }

  FeedWindow(int maxCandidates) {
    this.maxCandidates = maxCandidates;
  }

  /** The arrival number of the newest entry added. */
  long seq() {
    return seq;
  }

  int size() {
    return candidates.size();
  }

  long orphansDropped() {
    return orphansDropped;
  }

  Collection<Candidate> candidates() {
    return candidates.values();
  }

  Optional<Candidate> candidate(EntryId id) {
    return Optional.ofNullable(candidates.get(id));
  }

  /**
   * Adds one stored entry (with content; others say nothing a feed reads). {@code original} finds a
   * reposted entry's text.
   */
  void add(LogEntry e, Function<EntryId, Optional<LogEntry>> original) {
    if (!e.hasContent() || candidates.containsKey(e.id()) || answered.containsKey(e.id())) {
      return;
    }
    Content c = e.content().get();
    ContentKind kind = e.header().kind();
    long at = ++seq;
    Identity writer = intern(e.header().identity());
    Candidate.Answer answer =
        new Candidate.Answer(writer, at, e.id(), e.header().timestampMillis());
    switch (kind) {
      case POST -> {
        Post p = c.getPost();
        Identity root = p.hasReplyTo() ? identity(p.getReplyTo().getRoot()) : null;
        Identity parent = p.hasReplyTo() ? identity(p.getReplyTo().getParent()) : null;
        Identity quoted = p.hasQuote() ? identity(p.getQuote()) : null;
        String k = parent != null ? "reply" : quoted != null ? "quote" : "post";
        List<String> mentions = new ArrayList<>();
        for (int i = 0; i < p.getMentionsCount() && i < ViewField.LIST_CAP; i++) {
          if (p.getMentions(i).size() == Limits.PUBLIC_KEY_BYTES) {
            mentions.add(Identity.of(p.getMentions(i).toByteArray()).toString());
          }
        }
        List<String> tags = Hashtags.of(p.getText());
        put(
            new Candidate(
                e.id(),
                writer,
                e.header().timestampMillis(),
                at,
                k,
                p.getText(),
                tags.size() > ViewField.LIST_CAP ? tags.subList(0, ViewField.LIST_CAP) : tags,
                List.copyOf(mentions),
                root,
                parent,
                quoted,
                null,
                !p.getContentWarning().isEmpty()));
        if (parent != null) {
          answer(Slot.REPLY, entry(p.getReplyTo().getParent()), answer);
          answer(Slot.THREAD, entry(p.getReplyTo().getRoot()), answer);
        }
        if (quoted != null) {
          answer(Slot.QUOTE, entry(p.getQuote()), answer);
        }
      }
      case REPOST -> {
        Ref target = c.getRepost().getTarget();
        EntryId t = entry(target);
        String text =
            t == null
                ? ""
                : Optional.ofNullable(candidates.get(t))
                    .map(x -> x.text)
                    .or(
                        () ->
                            original
                                .apply(t)
                                .flatMap(LogEntry::content)
                                .filter(Content::hasPost)
                                .map(o -> o.getPost().getText()))
                    .orElse("");
        put(
            new Candidate(
                e.id(),
                writer,
                e.header().timestampMillis(),
                at,
                "repost",
                text,
                List.of(),
                List.of(),
                null,
                null,
                null,
                identity(target),
                false));
        answer(Slot.REPOST, t, answer);
      }
      case REACTION -> answer(Slot.REACTION, entry(c.getReaction().getTarget()), answer);
      case DELETE -> delete(EntryId.of(c.getDelete().getTarget().toByteArray()), at);
      default -> {
        // Nothing a feed reads; the arrival number is spent all the same.
      }
    }
  }

  /** Adds an answer known from the store (the first fill): the reactions of a held candidate. */
  void addReaction(EntryId target, LogEntry reaction) {
    if (!reaction.hasContent() || answered.containsKey(reaction.id())) {
      return;
    }
    long at = ++seq;
    answer(
        Slot.REACTION,
        target,
        new Candidate.Answer(
            intern(reaction.header().identity()),
            at,
            reaction.id(),
            reaction.header().timestampMillis()));
  }

  private void put(Candidate c) {
    candidates.put(c.id, c);
    changed(c.id, c.seq);
    List<Orphan> waiting = orphans.remove(c.id);
    if (waiting != null) {
      orphanCount -= waiting.size();
      for (Orphan o : waiting) {
        attach(c, o.slot(), o.answer());
      }
    }
  }

  private void answer(Slot slot, EntryId target, Candidate.Answer a) {
    if (target == null) {
      return;
    }
    Candidate c = candidates.get(target);
    if (c != null) {
      attach(c, slot, a);
      changed(c.id, a.seq());
      return;
    }
    if (orphanCount >= MAX_ORPHANS) {
      Iterator<List<Orphan>> oldest = orphans.values().iterator();
      List<Orphan> dropped = oldest.next();
      oldest.remove();
      orphanCount -= dropped.size();
      orphansDropped += dropped.size();
    }
    orphans.computeIfAbsent(target, k -> new ArrayList<>(1)).add(new Orphan(slot, a));
    orphanCount++;
  }

  private void attach(Candidate c, Slot slot, Candidate.Answer a) {
    if (slot != Slot.THREAD) {
      answered.put(a.entry(), c.id);
    }
    switch (slot) {
      case REACTION -> c.reactions.add(a);
      case REPLY -> c.replies.add(a);
      case REPOST -> c.reposts.add(a);
      case QUOTE -> c.quotes.add(a);
      case THREAD -> c.threadReplies.add(a);
    }
  }

  private void delete(EntryId target, long at) {
    Candidate c = candidates.remove(target);
    if (c != null) {
      forget(c);
      changed(target, at);
    }
    EntryId of = answered.remove(target);
    Candidate answeredOne = of == null ? null : candidates.get(of);
    if (answeredOne != null) {
      answeredOne.reactions.removeIf(a -> a.entry().equals(target));
      answeredOne.replies.removeIf(a -> a.entry().equals(target));
      answeredOne.reposts.removeIf(a -> a.entry().equals(target));
      answeredOne.quotes.removeIf(a -> a.entry().equals(target));
      changed(of, at);
    }
    // A deleted reply also leaves its thread.
    for (Candidate t : candidates.values()) {
      if (!t.threadReplies.isEmpty() && t.threadReplies.removeIf(a -> a.entry().equals(target))) {
        changed(t.id, at);
      }
    }
  }

  private void forget(Candidate c) {
    for (List<Candidate.Answer> l : List.of(c.reactions, c.replies, c.reposts, c.quotes)) {
      for (Candidate.Answer a : l) {
        answered.remove(a.entry());
      }
    }
  }

  /**
   * Keeps the newest {@code maxCandidates} candidates written at or after {@code oldestMillis}; the
   * others go (and are logged as changed). Returns how many went.
   */
  int prune(long oldestMillis) {
    List<Candidate> gone = new ArrayList<>();
    for (Candidate c : candidates.values()) {
      if (c.time < oldestMillis) {
        gone.add(c);
      }
    }
    if (candidates.size() - gone.size() > maxCandidates) {
      List<Candidate> all = new ArrayList<>(candidates.values());
      all.removeAll(new java.util.HashSet<>(gone));
      all.sort(Comparator.comparingLong((Candidate c) -> c.time).thenComparing(c -> c.id));
      gone.addAll(all.subList(0, all.size() - maxCandidates));
    }
    long at = ++seq;
    for (Candidate c : gone) {
      candidates.remove(c.id);
      forget(c);
      changed(c.id, at);
    }
    return gone.size();
  }

  private void changed(EntryId id, long at) {
    if (changeIds.size() >= MAX_CHANGES) {
      // Forget the older half: rankings older than that are redone whole.
      int half = MAX_CHANGES / 2;
      changesForgottenUpTo = changeSeqs.get(half - 1)[0];
      changeSeqs.subList(0, half).clear();
      changeIds.subList(0, half).clear();
    }
    changeSeqs.add(new long[] {at});
    changeIds.add(id);
  }

  /**
   * The candidates changed (added, answered, deleted, pruned) after arrival {@code after}, or empty
   * if the log no longer reaches back that far.
   */
  Optional<List<EntryId>> changedSince(long after) {
    if (after < changesForgottenUpTo) {
      return Optional.empty();
    }
    List<EntryId> out = new ArrayList<>();
    for (int i = changeSeqs.size() - 1; i >= 0 && changeSeqs.get(i)[0] > after; i--) {
      out.add(changeIds.get(i));
    }
    return Optional.of(out);
  }

  /**
   * One instance per identity: the window's 50,000 candidates have a few thousand authors, and a
   * ranking compares each candidate's with the graph's; shared instances stay in the CPU's cache
   * (separate ones cost a full ranking a third of its time in memory reads). Bounded: past {@link
   * #MAX_INTERNED} the table starts again (sharing is lost for older candidates, nothing else).
   */
  private Identity intern(Identity i) {
    if (i == null) {
      return null;
    }
    Identity known = interned.putIfAbsent(i, i);
    if (known != null) {
      return known;
    }
    if (interned.size() > MAX_INTERNED) {
      interned.clear();
      interned.put(i, i);
    }
    return i;
  }

  private Identity identity(Ref r) {
    return r.getIdentity().size() == Limits.PUBLIC_KEY_BYTES
        ? intern(Identity.of(r.getIdentity().toByteArray()))
        : null;
  }

  private static EntryId entry(Ref r) {
    return r.getEntry().size() == Limits.HASH_BYTES ? EntryId.of(r.getEntry().toByteArray()) : null;
  }
}
