package org.grapevine.node.feeds;

import java.util.List;

/**
 * A feed could not be published, used or run. {@link #code()} says why and whose fault it is: every
 * code but {@link Code#BUDGET_EXCEEDED} is the asker's (a bad definition, an unknown feed, a cursor
 * this node did not give).
 */
public final class FeedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why; {@link #apiCode()} is the code the API answers with. */
  public enum Code {
    /** No built-in, used or held published feed has that name or id. */
    UNKNOWN_FEED("unknown_feed"),
    /** The id names an entry that is not a feed. */
    NOT_A_FEED("not_a_feed"),
    /** A filter or score does not parse or check: see {@link #problems()}. */
    INVALID_DEFINITION("invalid_feed"),
    /** The cursor is not one this node gave (or it is from another feed). */
    BAD_CURSOR("bad_cursor"),
    /** The definition's cost per candidate is over the budget ([feeds] in config.toml). */
    BUDGET_EXCEEDED("feed_too_costly");

    private final String apiCode;

    Code(String apiCode) {
      this.apiCode = apiCode;
    }

    public String apiCode() {
      return apiCode;
    }
  }

  private final Code code;
  private final transient List<FeedProblem> problems;

  public FeedException(Code code, String message) {
    this(code, message, List.of());
  }

  public FeedException(Code code, String message, List<FeedProblem> problems) {
    super(message);
    this.code = code;
    this.problems = List.copyOf(problems);
  }

  public Code code() {
    return code;
  }

  /** For {@link Code#INVALID_DEFINITION}: each error with its place; otherwise empty. */
  public List<FeedProblem> problems() {
    return problems;
  }
}
