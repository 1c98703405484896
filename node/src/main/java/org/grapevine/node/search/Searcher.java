package org.grapevine.node.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;

/**
 * Turns a {@link SearchQuery} into Lucene queries (built here, never parsed from the user's text,
 * so no input can ask for wildcards or regexps) and runs them on one point-in-time searcher:
 *
 * <ol>
 *   <li>the words are analysed as the indexed text was; every one must match;
 *   <li>{@code from:} values become identities: an identity string, else every identity whose
 *       latest profile name equals the value (case-insensitive; at most {@link #MAX_FROM_MATCHES});
 *   <li>posts: the words, every hashtag, one of the {@code from:} identities, none of the hidden;
 *   <li>profiles (only when there are words and no hashtag): the words over name and bio, the same
 *       identity filters;
 *   <li>best first: score, then newest (filters alone score nothing, so newest first).
 * </ol>
 */
final class Searcher {
  /** Identities one {@code from:<name>} may stand for (names are not unique). */
  static final int MAX_FROM_MATCHES = 64;

  /** Terms the words may analyse into. */
  static final int MAX_WORD_TERMS = 32;

  private static final Sort BEST_THEN_NEWEST =
      new Sort(
          SortField.FIELD_SCORE, new SortField(SearchDocuments.TIME, SortField.Type.LONG, true));

  private final Analyzer analyzer;

  Searcher(Analyzer analyzer) {
    this.analyzer = analyzer;
  }

  SearchResult search(IndexSearcher s, SearchQuery q, int limit, Set<Identity> hidden)
      throws SearchQueryException, IOException {
    if (limit < 1 || limit > SearchIndex.MAX_RESULTS) {
      throw new IllegalArgumentException(
          "limit " + limit + " is not 1 to " + SearchIndex.MAX_RESULTS);
    }
    List<String> terms = SearchDocuments.terms(analyzer, q.words(), MAX_WORD_TERMS);
    if (terms.isEmpty() && q.hashtags().isEmpty() && q.from().isEmpty()) {
      throw new SearchQueryException(
          SearchQueryException.Code.EMPTY,
          "the query has no word to look for (punctuation alone is not indexed)");
    }
    List<String> unknown = new ArrayList<>();
    Set<Identity> from = new LinkedHashSet<>();
    for (String value : q.from()) {
      Set<Identity> found = resolve(s, value);
      if (found.isEmpty()) {
        unknown.add(value);
      }
      from.addAll(found);
    }
    Query fromFilter =
        q.from().isEmpty()
            ? null
            : from.isEmpty() ? new MatchNoDocsQuery("no such from:") : identities(from);
    Query hiddenFilter = hidden.isEmpty() ? null : identities(hidden);

    BooleanQuery.Builder posts = kind(SearchDocuments.POST, terms, fromFilter, hiddenFilter);
    for (String tag : q.hashtags()) {
      posts.add(new TermQuery(new Term(SearchDocuments.TAG, tag)), BooleanClause.Occur.FILTER);
    }
    List<EntryId> postIds = new ArrayList<>();
    for (Document d : top(s, posts.build(), limit)) {
      postIds.add(SearchDocuments.postId(d));
    }
    List<SearchResult.ProfileHit> profiles = new ArrayList<>();
    if (!terms.isEmpty() && q.hashtags().isEmpty()) {
      Query pq = kind(SearchDocuments.PROFILE, terms, fromFilter, hiddenFilter).build();
      for (Document d : top(s, pq, limit)) {
        profiles.add(
            new SearchResult.ProfileHit(
                identity(d.get(SearchDocuments.PROFILE_OF)),
                EntryId.parse(d.get(SearchDocuments.PROFILE_ENTRY)),
                d.get(SearchDocuments.NAME),
                d.get(SearchDocuments.BIO)));
      }
    }
    return new SearchResult(postIds, profiles, unknown);
  }

  private static BooleanQuery.Builder kind(
      String kind, List<String> terms, Query fromFilter, Query hiddenFilter) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(new TermQuery(new Term(SearchDocuments.KIND, kind)), BooleanClause.Occur.FILTER);
    for (String t : terms) {
      b.add(new TermQuery(new Term(SearchDocuments.TEXT, t)), BooleanClause.Occur.MUST);
    }
    if (fromFilter != null) {
      b.add(fromFilter, BooleanClause.Occur.FILTER);
    }
    if (hiddenFilter != null) {
      b.add(hiddenFilter, BooleanClause.Occur.MUST_NOT);
    }
    return b;
  }

  private static List<Document> top(IndexSearcher s, Query q, int limit) throws IOException {
    TopDocs docs = s.search(q, limit, BEST_THEN_NEWEST, true);
    List<Document> out = new ArrayList<>(docs.scoreDocs.length);
    for (ScoreDoc d : docs.scoreDocs) {
      out.add(s.storedFields().document(d.doc));
    }
    return out;
  }

  /** The identities a {@code from:} value names. */
  private static Set<Identity> resolve(IndexSearcher s, String value) throws IOException {
    Set<Identity> out = new LinkedHashSet<>();
    try {
      out.add(Identity.parse(value));
      return out;
    } catch (IdentityFormatException notAnIdentity) {
      // Then it is a name.
    }
    Query byName =
        new BooleanQuery.Builder()
            .add(
                new TermQuery(new Term(SearchDocuments.KIND, SearchDocuments.PROFILE)),
                BooleanClause.Occur.FILTER)
            .add(
                new TermQuery(new Term(SearchDocuments.NAME_KEY, value.toLowerCase(Locale.ROOT))),
                BooleanClause.Occur.FILTER)
            .build();
    for (ScoreDoc d : s.search(byName, MAX_FROM_MATCHES).scoreDocs) {
      out.add(identity(s.storedFields().document(d.doc).get(SearchDocuments.PROFILE_OF)));
    }
    return out;
  }

  private static Query identities(java.util.Collection<Identity> ids) {
    List<BytesRef> refs = ids.stream().map(SearchDocuments::identityKey).toList();
    return new TermInSetQuery(SearchDocuments.IDENTITY, refs);
  }

  private static Identity identity(String text) {
    try {
      return Identity.parse(text);
    } catch (IdentityFormatException e) {
      throw new IllegalStateException("the index holds a bad identity: " + text, e);
    }
  }
}
