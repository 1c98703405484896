package org.grapevine.node.feeds;

import java.util.ArrayList;
import java.util.List;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;

/**
 * One post (or repost) a feed may rank, as the {@link FeedWindow} keeps it: what the view shows of
 * it, decided once when it arrives, and what answers it (reactions, replies, reposts, quotes, and
 * replies anywhere in the thread it starts), each answer with the arrival number ({@code seq}) of
 * the entry, so that a ranking can be redone exactly as it was when a cursor was given.
 */
final class Candidate {
  /** One answer: who wrote it, when it arrived here, which entry it is, when it was written. */
  record Answer(Identity writer, long seq, EntryId entry, long time) {}

  final EntryId id;
  final long idOrder;
  final Identity author;
  final long time;
  final long seq;
  final String kind;
  final String text;
  final List<String> hashtags;
  final List<String> mentions;
  final Identity replyRootAuthor;
  final Identity replyParentAuthor;
  final Identity quotedAuthor;
  final Identity repostedAuthor;
  final boolean contentWarning;
  private String language;

  final List<Answer> reactions = new ArrayList<>(0);
  final List<Answer> replies = new ArrayList<>(0);
  final List<Answer> reposts = new ArrayList<>(0);
  final List<Answer> quotes = new ArrayList<>(0);
  final List<Answer> threadReplies = new ArrayList<>(0);

  @SuppressWarnings("TooManyParameters") // One value per view field: a builder would add nothing.
  Candidate(
      EntryId id,
      Identity author,
      long time,
      long seq,
      String kind,
      String text,
      List<String> hashtags,
      List<String> mentions,
      Identity replyRootAuthor,
      Identity replyParentAuthor,
      Identity quotedAuthor,
      Identity repostedAuthor,
      boolean contentWarning) {
    this.id = id;
    this.idOrder = Ranking.idOrder(id);
    this.author = author;
    this.time = time;
    this.seq = seq;
    this.kind = kind;
    this.text = text;
    this.hashtags = hashtags;
    this.mentions = mentions;
    this.replyRootAuthor = replyRootAuthor;
    this.replyParentAuthor = replyParentAuthor;
    this.quotedAuthor = quotedAuthor;
    this.repostedAuthor = repostedAuthor;
    this.contentWarning = contentWarning;
  }

  /** The text's language, guessed on first use (most feeds never ask). */
  String language() {
    String l = language;
    if (l == null) {
      l = Languages.guess(text);
      language = l;
    }
    return l;
  }
}
