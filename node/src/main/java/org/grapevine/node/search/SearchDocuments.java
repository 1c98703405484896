package org.grapevine.node.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Profile;

/**
 * The documents of the search index and their fields. Two kinds:
 *
 * <ul>
 *   <li>a post ({@code kind=post}): one per held post (replies included) whose content is held;
 *       keyed by its entry id; its text analysed, its hashtags, identity, device log and seq (a
 *       revocation's purge deletes by log and seq), and its timestamp (newest first among equal
 *       scores);
 *   <li>a profile ({@code kind=profile}): one per identity, its latest held profile ({@code
 *       LogQueries.latestProfile}, the name the API shows); keyed by the identity; name and bio
 *       analysed, the name also kept whole in lower case for {@code from:<name>}.
 * </ul>
 *
 * Analysis: Unicode word boundaries (UAX #29), lower case, accents folded to ASCII where possible
 * ({@code café} finds {@code cafe}); no stop words and no stemming, so a word finds itself.
 */
final class SearchDocuments {
  static final String KIND = "kind";
  static final String POST = "post";
  static final String PROFILE = "profile";
  static final String ID = "id";

  /** A profile's entry id, stored only (a field's schema must be one across documents). */
  static final String PROFILE_ENTRY = "profile_entry";

  static final String IDENTITY = "identity";
  static final String PROFILE_OF = "profile_of";
  static final String AUTHOR = "author";
  static final String SEQ = "seq";
  static final String TEXT = "text";
  static final String TAG = "tag";
  static final String TIME = "time";
  static final String NAME = "name";
  static final String NAME_KEY = "name_key";
  static final String BIO = "bio";

  /**
   * Analysed text without positions: queries are sets of words, never phrases, and positions were
   * the largest part of the indexing cost and of the index on disk.
   */
  static final FieldType WORDS = wordsType();

  private static FieldType wordsType() {
    FieldType t = new FieldType(TextField.TYPE_NOT_STORED);
    t.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
    t.freeze();
    return t;
  }

  /** Hashtags kept per post; text beyond is still searchable by its words. */
  static final int MAX_TAGS_PER_POST = 32;

  private SearchDocuments() {}

  static Analyzer analyzer() {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        Tokenizer source = new StandardTokenizer();
        TokenStream s = new ASCIIFoldingFilter(new LowerCaseFilter(source));
        return new TokenStreamComponents(source, s);
      }
    };
  }

  /** Whether the entry is a post whose content is held: the entries indexed as posts. */
  static boolean indexedPost(LogEntry e) {
    return e.hasContent() && e.content().get().hasPost();
  }

  /** A post's key: its entry id's 32 bytes (half the terms dictionary of its hex form). */
  static Term postKey(EntryId id) {
    return new Term(ID, new BytesRef(id.unsafeBytes()));
  }

  /** The entry id of a post document read from the index. */
  static EntryId postId(Document d) {
    BytesRef b = d.getBinaryValue(ID);
    return EntryId.of(java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length));
  }

  /** The term of a device log's documents, for a revocation's purge. */
  static Term authorKey(AuthorKey author) {
    return new Term(AUTHOR, new BytesRef(author.unsafeBytes()));
  }

  /**
   * An identity as the posts and profiles of its documents hold it: its root key's 32 bytes (its
   * string form is a Bech32m encoding per post, and longer terms).
   */
  static BytesRef identityKey(Identity identity) {
    return new BytesRef(identity.root().unsafeBytes());
  }

  static Term profileKey(Identity identity) {
    return new Term(PROFILE_OF, identity.toString());
  }

  /** The document of an identity's latest profile entry (held with its content). */
  static Document profile(LogEntry e) {
    Profile p = e.content().get().getProfile();
    Identity identity = e.header().identity();
    Document d = new Document();
    d.add(new StringField(KIND, PROFILE, Field.Store.NO));
    d.add(new StringField(PROFILE_OF, identity.toString(), Field.Store.YES));
    d.add(new StringField(IDENTITY, identityKey(identity), Field.Store.NO));
    d.add(new StoredField(PROFILE_ENTRY, e.id().toHex()));
    d.add(new StoredField(NAME, p.getName()));
    d.add(new StoredField(BIO, p.getBio()));
    d.add(new StringField(NAME_KEY, p.getName().toLowerCase(Locale.ROOT), Field.Store.NO));
    d.add(new Field(TEXT, p.getName() + "\n" + p.getBio(), WORDS));
    d.add(new NumericDocValuesField(TIME, e.header().timestampMillis()));
    return d;
  }

  /**
   * The lower-case hashtags of a post's text, without {@code #}, in order, each once: {@code #} not
   * glued to a tag character before it, then one or more tag characters (letters, numbers, {@code
   * _}: {@code [\p{L}\p{N}_]}, as {@link SearchQuery#HASHTAG}), tags over {@link
   * SearchQuery#MAX_HASHTAG_CHARS} skipped. A scan by hand: the regex it replaces was a tenth of
   * the index's time on the storage thread, trying its look-behind at every character. Discrepancy
   * from that regex: a letter outside the BMP right before {@code #} glues (its look-behind saw
   * only the pair's low half).
   */
  static Set<String> hashtags(String text) {
    Set<String> out = new LinkedHashSet<>();
    int hash = text.indexOf('#');
    while (hash >= 0 && out.size() < MAX_TAGS_PER_POST) {
      int end = hash + 1;
      while (end < text.length()) {
        int c = text.codePointAt(end);
        if (!tagChar(c)) {
          break;
        }
        end += Character.charCount(c);
      }
      boolean glued = hash > 0 && tagChar(text.codePointBefore(hash));
      if (!glued && end > hash + 1 && end - hash - 1 <= SearchQuery.MAX_HASHTAG_CHARS) {
        out.add(text.substring(hash + 1, end).toLowerCase(Locale.ROOT));
      }
      hash = text.indexOf('#', end);
    }
    return out;
  }

  /** {@code [\p{L}\p{N}_]}: a letter, a number of any kind, or {@code _}. */
  private static boolean tagChar(int c) {
    if (c < 0x80) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    return switch (Character.getType(c)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER ->
          true;
      default -> false;
    };
  }

  /** The terms {@code analyzer} makes of the words, at most {@code max} (then an exception). */
  static List<String> terms(Analyzer analyzer, List<String> words, int max)
      throws SearchQueryException {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      try (TokenStream ts = analyzer.tokenStream(TEXT, w)) {
        CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
        ts.reset();
        while (ts.incrementToken()) {
          if (out.size() == max) {
            throw new SearchQueryException(
                SearchQueryException.Code.TOO_MANY_TERMS,
                "the query makes more than " + max + " words to look for; give fewer");
          }
          out.add(term.toString());
        }
        ts.end();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // A StringReader does not fail.
      }
    }
    return out;
  }
}
