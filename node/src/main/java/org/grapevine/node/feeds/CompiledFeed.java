package org.grapevine.node.feeds;

import java.util.ArrayList;
import java.util.List;

/**
 * A feed ready to run: its definition, its two expressions compiled, and its cost bound per
 * candidate (both expressions: the filter always runs, the score on those it lets through).
 */
record CompiledFeed(
    String key,
    FeedDefinition definition,
    FeedLanguage.Compiled filter,
    FeedLanguage.Compiled score) {

  /** An empty filter lets every candidate through; an empty score puts the newest first. */
  static final String DEFAULT_FILTER = "true";

  static final String DEFAULT_SCORE = "double(post.time)";

  long cost() {
    return filter.cost() + score.cost();
  }

  /**
   * Whether the ranking depends on its time: a feed that reads neither {@code now} nor {@code
   * post.age_hours} ranks the same at every minute, so its ranking is carried over to the next
   * minute and only what changed is ranked again.
   */
  boolean readsTime() {
    return filter.readsTime() || score.readsTime();
  }

  /** Every problem of the definition: expressions that do not compile, then the budget. */
  static List<FeedProblem> problems(FeedDefinition d, long costPerCandidate) {
    List<FeedProblem> out = new ArrayList<>();
    FeedLanguage.Result f = FeedLanguage.compile("filter", orDefault(d.filter(), DEFAULT_FILTER));
    FeedLanguage.Result s = FeedLanguage.compile("score", orDefault(d.score(), DEFAULT_SCORE));
    out.addAll(f.problems());
    out.addAll(s.problems());
    if (out.isEmpty() && f.compiled().cost() + s.compiled().cost() > costPerCandidate) {
      out.add(
          new FeedProblem(
              f.compiled().cost() >= s.compiled().cost() ? "filter" : "score",
              1,
              1,
              "may take "
                  + Math.min(f.compiled().cost() + s.compiled().cost(), 1L << 40)
                  + " steps per post, over the budget of "
                  + costPerCandidate
                  + " ([feeds] cost_per_candidate)"));
    }
    return out;
  }

  /**
   * Compiles a definition within the budget.
   *
   * @throws FeedException INVALID_DEFINITION or BUDGET_EXCEEDED, with the problems
   */
  static CompiledFeed compile(String key, FeedDefinition d, long costPerCandidate)
      throws FeedException {
    FeedLanguage.Result f = FeedLanguage.compile("filter", orDefault(d.filter(), DEFAULT_FILTER));
    FeedLanguage.Result s = FeedLanguage.compile("score", orDefault(d.score(), DEFAULT_SCORE));
    List<FeedProblem> bad = new ArrayList<>(f.problems());
    bad.addAll(s.problems());
    if (!bad.isEmpty()) {
      throw new FeedException(
          FeedException.Code.INVALID_DEFINITION,
          "feed " + key + " does not compile: " + bad.get(0),
          bad);
    }
    CompiledFeed c = new CompiledFeed(key, d, f.compiled(), s.compiled());
    if (c.cost() > costPerCandidate) {
      throw new FeedException(
          FeedException.Code.BUDGET_EXCEEDED,
          "feed " + key + " is too costly",
          problems(d, costPerCandidate));
    }
    return c;
  }

  private static String orDefault(String source, String dflt) {
    return source.isBlank() ? dflt : source;
  }
}
