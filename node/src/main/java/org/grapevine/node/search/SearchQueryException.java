package org.grapevine.node.search;

/**
 * A search query the index refuses: the asker's fault, never the node's. {@link #code()} says which
 * rule it broke (the API answers 400 with {@link Code#apiCode()}); the message says how to fix it.
 */
public final class SearchQueryException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Which rule of {@link SearchQuery} the query broke. */
  public enum Code {
    /** Nothing to search for: no word, hashtag or filter left. */
    EMPTY("empty_query"),
    /** Longer than {@link SearchQuery#MAX_QUERY_CHARS}. */
    TOO_LONG("query_too_long"),
    /** More than {@link SearchQuery#MAX_TERMS} words, hashtags and filters. */
    TOO_MANY_TERMS("query_too_many_terms"),
    /** A {@code #} not followed by letters, digits or underscores (at most 64). */
    BAD_HASHTAG("bad_hashtag"),
    /** {@code from:} with nothing after it, or more than {@link SearchQuery#MAX_FROM} of them. */
    BAD_FROM("bad_from");

    private final String apiCode;

    Code(String apiCode) {
      this.apiCode = apiCode;
    }

    /** The stable error code of the API (docs/API.md). */
    public String apiCode() {
      return apiCode;
    }
  }

  private final Code code;

  public SearchQueryException(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
