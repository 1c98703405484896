package org.grapevine.node.feeds;

import dev.cel.runtime.CelVariableResolver;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.grapevine.protocol.identity.Identity;

/**
 * One candidate as the expressions see it ({@link ViewField}): values are computed when an
 * expression asks for them, so a feed that reads only {@code post.time} costs no stats. Counts
 * include only answers that had arrived by {@code asOf} (the ranking's arrival number). One per
 * candidate and evaluation thread; not thread-safe.
 */
final class CandidateView implements CelVariableResolver {
  private final RankContext ctx;
  private Candidate c;

  CandidateView(RankContext ctx) {
    this.ctx = ctx;
  }

  CandidateView of(Candidate candidate) {
    this.c = candidate;
    return this;
  }

  /** What a ranking is made against: who asks, when, as of which arrival, over which graph. */
  record RankContext(String me, long now, long asOf, SocialGraph graph) {}

  @Override
  public Optional<Object> find(String name) {
    ViewField f = ViewField.named(name);
    return f == null ? Optional.empty() : Optional.of(value(f));
  }

  /** The value CEL's runtime is given: boxed, by the field's type. */
  private Object value(ViewField f) {
    return switch (f.type.kind()) {
      case BOOL -> bool(f);
      case INT -> integer(f);
      case DOUBLE -> dbl(f);
      case STRING -> str(f);
      default -> list(f);
    };
  }

  /** A bool field's value ({@link DirectProgram} reads them unboxed). */
  boolean bool(ViewField f) {
    return switch (f) {
      case POST_IS_REPLY -> c.replyParentAuthor != null;
      case POST_IS_QUOTE -> c.quotedAuthor != null;
      case POST_IS_REPOST -> c.repostedAuthor != null;
      case POST_HAS_CONTENT_WARNING -> c.contentWarning;
      case GRAPH_FOLLOWS_AUTHOR -> ctx.graph().follows(c.author);
      case GRAPH_IS_ME -> c.author.equals(ctx.graph().me);
      case GRAPH_MENTIONS_ME -> c.mentions.contains(ctx.me());
      case GRAPH_REPLIES_TO_ME -> ctx.graph().me.equals(c.replyParentAuthor);
      default -> throw new IllegalArgumentException(f.name + " is not a bool");
    };
  }

  /** An int field's value. */
  long integer(ViewField f) {
    return switch (f) {
      case POST_TIME -> c.time;
      case STATS_REACTIONS -> count(c.reactions, false);
      case STATS_REPLIES -> count(c.replies, false);
      case STATS_REPOSTS -> count(c.reposts, false);
      case STATS_QUOTES -> count(c.quotes, false);
      case STATS_REACTIONS_FROM_FOLLOWS -> count(c.reactions, true);
      case STATS_REPLIES_FROM_FOLLOWS -> count(c.replies, true);
      case STATS_REPOSTS_FROM_FOLLOWS -> count(c.reposts, true);
      case STATS_THREAD_REPLIES -> count(c.threadReplies, false);
      case STATS_THREAD_FOLLOWS -> threadFollows();
      case STATS_LAST_REPLY_TIME -> lastReply();
      case GRAPH_AUTHOR_HOPS -> ctx.graph().hops(c.author);
      case GRAPH_FOLLOWS_FOLLOWING_AUTHOR -> ctx.graph().followedByFollows(c.author);
      case NOW -> ctx.now();
      default -> throw new IllegalArgumentException(f.name + " is not an int");
    };
  }

  /** A double field's value. */
  double dbl(ViewField f) {
    if (f == ViewField.POST_AGE_HOURS) {
      return (ctx.now() - c.time) / 3_600_000.0;
    }
    throw new IllegalArgumentException(f.name + " is not a double");
  }

  /** A string field's value. */
  String str(ViewField f) {
    return switch (f) {
      case POST_ID -> c.id.toString();
      case POST_AUTHOR -> c.author.toString();
      case POST_KIND -> c.kind;
      case POST_TEXT -> c.text;
      case POST_LANGUAGE -> c.language();
      case POST_REPLY_ROOT_AUTHOR -> text(c.replyRootAuthor);
      case POST_REPLY_PARENT_AUTHOR -> text(c.replyParentAuthor);
      case POST_QUOTED_AUTHOR -> text(c.quotedAuthor);
      case POST_REPOSTED_AUTHOR -> text(c.repostedAuthor);
      case ME -> ctx.me();
      default -> throw new IllegalArgumentException(f.name + " is not a string");
    };
  }

  /** A list field's value. */
  List<String> list(ViewField f) {
    return switch (f) {
      case POST_HASHTAGS -> c.hashtags;
      case POST_MENTIONS -> c.mentions;
      default -> throw new IllegalArgumentException(f.name + " is not a list");
    };
  }

  private static String text(Identity i) {
    return i == null ? "" : i.toString();
  }

  private long count(List<Candidate.Answer> answers, boolean fromFollows) {
    long n = 0;
    for (Candidate.Answer a : answers) {
      if (a.seq() <= ctx.asOf() && (!fromFollows || ctx.graph().follows(a.writer()))) {
        n++;
      }
    }
    return n;
  }

  /**
   * Distinct followed writers in the thread. Most threads have a few replies: for those no set is
   * made (a set per candidate was a third of a Conversations ranking).
   */
  private long threadFollows() {
    List<Candidate.Answer> all = c.threadReplies;
    if (all.size() > 16) {
      Set<Identity> seen = new HashSet<>();
      for (Candidate.Answer a : all) {
        if (a.seq() <= ctx.asOf() && ctx.graph().follows(a.writer())) {
          seen.add(a.writer());
        }
      }
      return seen.size();
    }
    long n = 0;
    for (int i = 0; i < all.size(); i++) {
      Candidate.Answer a = all.get(i);
      if (a.seq() > ctx.asOf() || !ctx.graph().follows(a.writer())) {
        continue;
      }
      boolean seen = false;
      for (int j = 0; j < i && !seen; j++) {
        Candidate.Answer b = all.get(j);
        seen = b.seq() <= ctx.asOf() && b.writer().equals(a.writer());
      }
      if (!seen) {
        n++;
      }
    }
    return n;
  }

  private long lastReply() {
    long t = 0;
    for (Candidate.Answer a : c.threadReplies) {
      if (a.seq() <= ctx.asOf()) {
        t = Math.max(t, a.time());
      }
    }
    return t;
  }
}
