package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.runtime.CelEvaluationException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * The cost bound is sound: for any expression the compiler accepts, an evaluation over a candidate
 * whose lists are as long as the view allows takes no more steps (nodes evaluated, as CEL's trace
 * reports them) than {@link FeedCost} said before running. So an accepted feed finishes within the
 * budget it was accepted under.
 */
class FeedCostProperties {
  private static final Identity ALICE = TestAuthors.person("alice").identity;

  /** A candidate with the longest lists the view gives, and every answer list non-empty. */
  private static Candidate fullCandidate() {
    List<String> tags = new java.util.ArrayList<>();
    List<String> mentions = new java.util.ArrayList<>();
    for (int i = 0; i < ViewField.LIST_CAP; i++) {
      tags.add("tag" + i);
      mentions.add(ALICE.toString());
    }
    Candidate c =
        new Candidate(
            EntryId.of(new byte[32]),
            ALICE,
            1_000_000L,
            1,
            "reply",
            "some text #tag0 " + "a".repeat(200),
            tags,
            mentions,
            ALICE,
            ALICE,
            null,
            null,
            false);
    for (int i = 0; i < 5; i++) {
      Candidate.Answer a = new Candidate.Answer(ALICE, 1, EntryId.of(new byte[32]), 2_000_000L);
      c.reactions.add(a);
      c.replies.add(a);
      c.threadReplies.add(a);
    }
    return c;
  }

  @Property(tries = 400)
  void noEvaluationTakesMoreStepsThanItsBound(@ForAll("expressions") String source)
      throws Exception {
    FeedLanguage.Result r = FeedLanguage.compile("filter", source);
    if (r.compiled() == null) {
      return; // Refused: nothing runs.
    }
    SocialGraph graph = new SocialGraph(ALICE, java.util.Set.of(ALICE), java.util.Map.of(ALICE, 3));
    CandidateView view =
        new CandidateView(new CandidateView.RankContext(ALICE.toString(), 9_000_000L, 10, graph))
            .of(fullCandidate());
    AtomicLong steps = new AtomicLong();
    try {
      r.compiled().program().trace(view, (expr, result) -> steps.incrementAndGet());
      // The trace does see the evaluation (else the bound below would hold vacuously).
      assertThat(steps.get()).as(source).isPositive();
    } catch (CelEvaluationException e) {
      // A failure (say, division by zero) ends the evaluation early: still within the bound.
    }
    assertThat(steps.get()).as(source).isLessThanOrEqualTo(r.compiled().cost());
  }

  @Provide
  Arbitrary<String> expressions() {
    return bool(3);
  }

  private Arbitrary<String> bool(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.of(
            "graph.follows_author",
            "graph.is_me",
            "post.is_reply",
            "graph.mentions_me",
            "true",
            "post.text.matches('(a+)+$')",
            "post.text.contains('tag')",
            "post.author == me",
            "'tag3' in post.hashtags");
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> bool(depth - 1));
    Arbitrary<String> num = number(depth - 1);
    return Arbitraries.oneOf(
        leaf,
        Combinators.combine(sub, sub, Arbitraries.of("&&", "||"))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        sub.map(a -> "!" + a),
        Combinators.combine(num, num, Arbitraries.of("<", ">=", "=="))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        Combinators.combine(list(), sub, Arbitraries.of("exists", "all", "exists_one"))
            .as((l, body, m) -> l + "." + m + "(x, " + body.replace("post.text", "x") + ")"),
        Combinators.combine(list(), list(), sub)
            .as((l1, l2, body) -> l1 + ".exists(x, " + l2 + ".all(y, x != y || " + body + "))"),
        Combinators.combine(sub, sub, sub).as((c, a, b) -> "(" + c + " ? " + a + " : " + b + ")"));
  }

  private Arbitrary<String> number(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.of(
            "stats.reactions",
            "stats.thread_follows",
            "stats.last_reply_time",
            "post.time",
            "now",
            "1",
            "0",
            "post.hashtags.size()",
            "post.text.size()",
            "graph.author_hops");
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> number(depth - 1));
    return Arbitraries.oneOf(
        leaf,
        Combinators.combine(sub, sub, Arbitraries.of("+", "-", "*", "/", "%"))
            .as((a, b, op) -> "(" + a + " " + op + " " + b + ")"),
        Combinators.combine(list(), bool(0)).as((l, b) -> l + ".filter(x, " + b + ").size()"),
        list().map(l -> l + ".map(x, x + x).size()"));
  }

  private Arbitrary<String> list() {
    return Arbitraries.of(
        "post.hashtags",
        "post.mentions",
        "['a', 'b', 'c']",
        "(post.hashtags + post.mentions)",
        "post.hashtags.filter(t, t != 'tag1')");
  }

  @org.junit.jupiter.api.Test
  void theBoundIsTightForALoopOverAViewList() throws Exception {
    FeedLanguage.Result r = FeedLanguage.compile("filter", "post.hashtags.all(h, h != '')");
    AtomicLong steps = new AtomicLong();
    SocialGraph graph = new SocialGraph(ALICE, java.util.Set.of(), java.util.Map.of());
    r.compiled()
        .program()
        .trace(
            new CandidateView(new CandidateView.RankContext("", 0, 10, graph)).of(fullCandidate()),
            (expr, result) -> steps.incrementAndGet());
    // Fifty hashtags, each a few steps: the bound is within a small factor of what it takes.
    assertThat(steps.get()).isGreaterThan(100).isLessThanOrEqualTo(r.compiled().cost());
    assertThat(r.compiled().cost()).isLessThan(steps.get() * 4);
  }

  @Property(tries = 50)
  void acceptedFeedsStayWithinTheDefaultBudget(@ForAll("expressions") String source) {
    List<FeedProblem> problems =
        CompiledFeed.problems(new FeedDefinition("p", "", 1, source, ""), 10_000);
    Tuple.Tuple1<List<FeedProblem>> t = Tuple.of(problems);
    // Either refused with a reason, or accepted: and then its bound is within the budget.
    if (t.get1().isEmpty()) {
      FeedLanguage.Result r = FeedLanguage.compile("filter", source);
      assertThat(r.compiled().cost()).isLessThanOrEqualTo(10_000);
    } else {
      assertThat(t.get1().get(0).message()).isNotBlank();
    }
  }
}
