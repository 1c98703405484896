package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * The direct evaluator agrees with CEL's runtime, the reference: for generated expressions over
 * candidates chosen to reach the edges (empty lists, huge times that overflow, text beyond the
 * BMP), whatever {@link DirectProgram} answers is what CEL answers, and where CEL fails the direct
 * evaluator defers to it rather than answering.
 */
class DirectProgramProperties {
  private static final Identity ALICE = TestAuthors.person("alice").identity;
  private static final Identity BOB = TestAuthors.person("bob").identity;

  private static final List<CandidateView> VIEWS = views();

  private static List<CandidateView> views() {
    SocialGraph graph = new SocialGraph(ALICE, Set.of(BOB), Map.of(BOB, 3, ALICE, 1));
    List<Candidate> cs = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tags.add("tag" + i);
    }
    Candidate full =
        new Candidate(
            EntryId.of(new byte[32]),
            BOB,
            1_000_000L,
            1,
            "reply",
            "some text #tag0 Über",
            tags,
            List.of(ALICE.toString()),
            ALICE,
            ALICE,
            null,
            null,
            false);
    for (int i = 0; i < 3; i++) {
      Candidate.Answer a =
          new Candidate.Answer(i == 0 ? BOB : ALICE, i, EntryId.of(new byte[32]), 2_000_000L + i);
      full.reactions.add(a);
      full.replies.add(a);
      full.threadReplies.add(a);
      full.reposts.add(a);
    }
    cs.add(full);
    cs.add(
        new Candidate(
            EntryId.of(new byte[32]),
            ALICE,
            0,
            1,
            "repost",
            "",
            List.of(),
            List.of(),
            null,
            null,
            null,
            BOB,
            true));
    cs.add(
        new Candidate(
            EntryId.of(new byte[32]),
            BOB,
            Long.MAX_VALUE / 2,
            1,
            "quote",
            "a 😀 beyond the BMP 𝄞",
            List.of("😀"),
            List.of(),
            null,
            null,
            BOB,
            null,
            false));
    List<CandidateView> out = new ArrayList<>();
    for (Candidate c : cs) {
      for (long now : new long[] {9_000_000L, Long.MAX_VALUE - 10}) {
        out.add(
            new CandidateView(new CandidateView.RankContext(ALICE.toString(), now, 10, graph))
                .of(c));
      }
    }
    return out;
  }

  /**
   * How often the direct evaluator answered itself, over every try (so the test is not vacuous).
   */
  private static int answered;

  private static int deferred;

  @Property(tries = 600)
  void directAnswersAreCelsAnswers(@ForAll("expressions") Expression x) throws Exception {
    FeedLanguage.Result r = FeedLanguage.compile(x.which(), x.source());
    if (r.compiled() == null || r.compiled().direct().isEmpty()) {
      return; // Refused, or run by CEL's runtime alone.
    }
    DirectProgram direct = r.compiled().direct().get();
    for (CandidateView v : VIEWS) {
      Object cel;
      try {
        cel = r.compiled().eval(v);
      } catch (dev.cel.runtime.CelEvaluationException e) {
        cel = e;
      }
      Object mine;
      try {
        mine = direct.isFilter() ? (Object) direct.test(v) : (Object) direct.score(v);
        answered++;
      } catch (DirectProgram.Defer d) {
        deferred++;
        continue; // CEL's runtime tells: nothing to compare.
      }
      assertThat(cel).as(x.source()).isNotInstanceOf(Exception.class);
      if (direct.isFilter()) {
        assertThat(mine).as(x.source()).isEqualTo(cel);
      } else {
        double a = (Double) mine;
        double b = ((Number) cel).doubleValue();
        assertThat(a == b || (Double.isNaN(a) && Double.isNaN(b))).as(x.source()).isTrue();
      }
    }
  }

  @net.jqwik.api.lifecycle.AfterContainer
  static void theDirectEvaluatorAnsweredMostOfTheTime() {
    // Generated expressions mostly stay within the direct part, and most evaluations answer.
    assertThat(answered).isGreaterThan(1000);
    assertThat(answered).isGreaterThan(deferred);
  }

  /** Expressions a person writes, and the built-ins: run directly, with CEL's results. */
  @Example
  void typicalFeedsRunDirectly() throws Exception {
    List<String> filters = new ArrayList<>();
    for (FeedDefinition d : BuiltInFeeds.ALL.values()) {
      filters.add(d.filter());
    }
    filters.addAll(
        List.of(
            "'tag1' in post.hashtags && post.language == 'en'",
            "post.kind in ['post', 'quote'] && size(post.text) > 3",
            "post.text.contains('cats') || post.text.startsWith('Über')",
            "post.hashtags.size() >= 2 && post.hashtags[0] != 'spam'",
            "int(post.age_hours) < 24 && stats.reactions % 2 == 0",
            "graph.author_hops <= 2 && post.author != me"));
    for (String f : filters) {
      FeedLanguage.Result r = FeedLanguage.compile("filter", f);
      assertThat(r.problems()).as(f).isEmpty();
      assertThat(r.compiled().direct()).as(f).isPresent();
      for (CandidateView v : VIEWS) {
        assertThat(r.compiled().test(v)).as(f).isEqualTo(r.compiled().eval(v));
      }
    }
    for (FeedDefinition d : BuiltInFeeds.ALL.values()) {
      FeedLanguage.Result r = FeedLanguage.compile("score", d.score());
      assertThat(r.compiled().direct()).as(d.score()).isPresent();
      for (CandidateView v : VIEWS.subList(0, 2)) {
        assertThat(r.compiled().score(v))
            .as(d.score())
            .isEqualTo(((Number) r.compiled().eval(v)).doubleValue());
      }
    }
  }

  /** What only CEL's runtime runs: the whole expression goes to it. */
  @Example
  void macrosAndRegexesAreLeftToCel() throws Exception {
    for (String f :
        List.of(
            "post.hashtags.exists(h, h == 'cats')",
            "post.text.matches('^a+$')",
            "{'a': 1}['a'] == 1",
            "1u < 2u",
            "string(post.age_hours) != ''")) {
      FeedLanguage.Result r = FeedLanguage.compile("filter", f);
      assertThat(r.problems()).as(f).isEmpty();
      assertThat(r.compiled().direct()).as(f).isEmpty();
    }
    // has() on a view name: whatever CEL makes of it, the filter's verdict is CEL's.
    FeedLanguage.Result r = FeedLanguage.compile("filter", "has(post.text) && post.text != ''");
    if (r.compiled() != null) {
      for (CandidateView v : VIEWS) {
        Object cel;
        try {
          cel = r.compiled().eval(v);
        } catch (dev.cel.runtime.CelEvaluationException e) {
          continue;
        }
        assertThat(r.compiled().test(v)).isEqualTo(cel);
      }
    }
  }

  /** Errors are CEL's: the direct evaluator defers, and && absorbs as CEL does. */
  @Example
  void failuresAreDeferredToCel() throws Exception {
    CandidateView v = VIEWS.get(0);
    FeedLanguage.Result div = FeedLanguage.compile("score", "stats.reactions / (stats.quotes)");
    assertThat(div.compiled().direct()).isPresent();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> div.compiled().direct().get().score(v))
        .isSameAs(DirectProgram.DEFER);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> div.compiled().score(v))
        .isInstanceOf(dev.cel.runtime.CelEvaluationException.class);
    // An error on the left of && is absorbed by a false on the right: CEL's answer, false.
    FeedLanguage.Result absorbed =
        FeedLanguage.compile("filter", "1 / stats.quotes > 0 && post.kind == 'none'");
    assertThat(absorbed.compiled().test(v)).isFalse();
    FeedLanguage.Result overflow =
        FeedLanguage.compile("filter", "post.time * 1000000000000 > 0 || true");
    assertThat(overflow.compiled().test(v)).isTrue();
  }

  record Expression(String which, String source) {
    @Override
    public String toString() {
      return which + ": " + source;
    }
  }

  @Provide
  Arbitrary<Expression> expressions() {
    return Arbitraries.oneOf(
        bool(3).map(s -> new Expression("filter", s)),
        integer(3).map(s -> new Expression("score", s)),
        dbl(3).map(s -> new Expression("score", s)));
  }

  private Arbitrary<String> bool(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.of(
            "graph.follows_author",
            "graph.is_me",
            "post.is_reply",
            "post.is_repost",
            "post.has_content_warning",
            "graph.mentions_me",
            "graph.replies_to_me",
            "true",
            "false",
            "post.text.contains('tag')",
            "post.text.endsWith('Über')",
            "post.author == me",
            "'tag3' in post.hashtags",
            "post.kind in ['post', 'reply']",
            "post.hashtags == ['😀']",
            "post.text.matches('a+')");
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> bool(depth - 1));
    Arbitrary<String> i = integer(depth - 1);
    Arbitrary<String> d = dbl(depth - 1);
    Arbitrary<String> s = string(depth - 1);
    return Arbitraries.oneOf(
        leaf,
        Combinators.combine(sub, sub, Arbitraries.of("&&", "||", "==", "!="))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        sub.map(a -> "!" + a),
        Combinators.combine(i, i, Arbitraries.of("<", "<=", ">", ">=", "==", "!="))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        Combinators.combine(d, d, Arbitraries.of("<", "<=", ">", ">=", "==", "!="))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        Combinators.combine(s, s, Arbitraries.of("<", ">=", "==", "!="))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        Combinators.combine(s, s, Arbitraries.of("contains", "startsWith", "endsWith"))
            .as((a, b, f) -> a + "." + f + "(" + b + ")"),
        s.map(a -> "(" + a + " in post.hashtags + ['x'])"),
        Combinators.combine(sub, sub, sub).as((c, a, b) -> "(" + c + " ? " + a + " : " + b + ")"));
  }

  private Arbitrary<String> integer(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.of(
            "stats.reactions",
            "stats.replies_from_follows",
            "stats.thread_follows",
            "stats.last_reply_time",
            "post.time",
            "now",
            "1",
            "0",
            "-1",
            "9223372036854775807",
            "post.hashtags.size()",
            "size(post.text)",
            "graph.author_hops",
            "graph.follows_following_author",
            "int(post.age_hours)");
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> integer(depth - 1));
    return Arbitraries.oneOf(
        leaf,
        Combinators.combine(sub, sub, Arbitraries.of("+", "-", "*", "/", "%"))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        sub.map(a -> "-" + a),
        Combinators.combine(bool(0), sub, sub)
            .as((c, a, b) -> "(" + c + " ? " + a + " : " + b + ")"),
        dbl(depth - 1).map(a -> "int(" + a + ")"),
        string(depth - 1).map(a -> "size(" + a + ")"));
  }

  private Arbitrary<String> dbl(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.of(
            "post.age_hours", "0.0", "2.5", "-0.0", "1e308", "double(post.time)", "double(now)");
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> dbl(depth - 1));
    return Arbitraries.oneOf(
        leaf,
        Combinators.combine(sub, sub, Arbitraries.of("+", "-", "*", "/"))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        sub.map(a -> "-" + a),
        integer(depth - 1).map(a -> "double(" + a + ")"),
        Combinators.combine(bool(0), sub, sub)
            .as((c, a, b) -> "(" + c + " ? " + a + " : " + b + ")"));
  }

  private Arbitrary<String> string(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.of(
            "post.text",
            "post.kind",
            "post.author",
            "post.reply_parent_author",
            "post.language",
            "me",
            "''",
            "'Über'",
            "'😀'",
            "'tag1'",
            "post.hashtags[0]",
            "string(stats.reactions)");
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> string(depth - 1));
    return Arbitraries.oneOf(
        leaf,
        Combinators.combine(sub, sub).as((a, b) -> "(" + a + " + " + b + ")"),
        Combinators.combine(bool(0), sub, sub)
            .as((c, a, b) -> "(" + c + " ? " + a + " : " + b + ")"));
  }
}
