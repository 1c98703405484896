package org.grapevine.node.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A search as a person types it, split into its parts. Separated by white space:
 *
 * <ul>
 *   <li>{@code #tag}: only posts carrying the hashtag (case-insensitive);
 *   <li>{@code from:<identity or name>}: only posts (and profiles) of that identity, given as its
 *       identity string or as the name in its latest profile (case-insensitive, exact); several
 *       {@code from:} mean any of them;
 *   <li>anything else is a word; every word must match (after the index's analysis: lower case,
 *       accents folded, punctuation dropped).
 * </ul>
 *
 * No other syntax: quotes, {@code AND}, {@code *} and the like are plain text, so no input can make
 * an expensive query (wildcards, regexps, fuzzy terms). Bounded: at most {@link #MAX_QUERY_CHARS}
 * characters and {@link #MAX_TERMS} parts.
 *
 * @param words the words as typed (analysed by the index)
 * @param hashtags lower-case hashtags without the {@code #}
 * @param from what followed each {@code from:}
 */
public record SearchQuery(List<String> words, List<String> hashtags, List<String> from) {
  public static final int MAX_QUERY_CHARS = 256;
  public static final int MAX_TERMS = 16;
  public static final int MAX_FROM = 4;
  public static final int MAX_HASHTAG_CHARS = 64;

  /** The hashtag rule, shared with the indexing of post text ({@link SearchDocuments}). */
  static final Pattern HASHTAG = Pattern.compile("[\\p{L}\\p{N}_]{1," + MAX_HASHTAG_CHARS + "}");

  private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");

  public SearchQuery {
    words = List.copyOf(words);
    hashtags = List.copyOf(hashtags);
    from = List.copyOf(from);
  }

  /**
   * Splits {@code text}.
   *
   * @throws SearchQueryException if it breaks a rule above, or holds nothing to search for
   */
  public static SearchQuery parse(String text) throws SearchQueryException {
    if (text == null || text.isBlank()) {
      throw new SearchQueryException(
          SearchQueryException.Code.EMPTY, "the query is empty; give words, #hashtags or from:");
    }
    if (text.length() > MAX_QUERY_CHARS) {
      throw new SearchQueryException(
          SearchQueryException.Code.TOO_LONG,
          "the query has " + text.length() + " characters; at most " + MAX_QUERY_CHARS);
    }
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    List<String> from = new ArrayList<>();
    List<String> parts = List.of(WHITE_SPACE.split(text.strip()));
    if (parts.size() > MAX_TERMS) {
      throw new SearchQueryException(
          SearchQueryException.Code.TOO_MANY_TERMS,
          "the query has " + parts.size() + " parts; at most " + MAX_TERMS);
    }
    for (String p : parts) {
      if (p.startsWith("#")) {
        String tag = p.substring(1);
        if (!HASHTAG.matcher(tag).matches()) {
          throw new SearchQueryException(
              SearchQueryException.Code.BAD_HASHTAG,
              "'"
                  + p
                  + "' is not a hashtag: # then 1 to "
                  + MAX_HASHTAG_CHARS
                  + " letters, digits or _");
        }
        tags.add(tag.toLowerCase(Locale.ROOT));
      } else if (p.regionMatches(true, 0, "from:", 0, 5)) {
        String who = p.substring(5);
        if (who.isEmpty()) {
          throw new SearchQueryException(
              SearchQueryException.Code.BAD_FROM,
              "from: needs an identity or a name right after it, as in from:alice");
        }
        from.add(who);
      } else {
        words.add(p);
      }
    }
    if (from.size() > MAX_FROM) {
      throw new SearchQueryException(
          SearchQueryException.Code.BAD_FROM,
          "the query has " + from.size() + " from: filters; at most " + MAX_FROM);
    }
    return new SearchQuery(words, tags, from);
  }
}
