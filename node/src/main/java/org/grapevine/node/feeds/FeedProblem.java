package org.grapevine.node.feeds;

/**
 * One error in a feed's expression: which expression ({@code "filter"} or {@code "score"}), where
 * (line and column from 1, as an editor counts them) and what.
 */
public record FeedProblem(String expression, int line, int column, String message) {
  @Override
  public String toString() {
    return expression + ":" + line + ":" + column + ": " + message;
  }
}
