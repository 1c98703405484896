package org.grapevine.node.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;
import org.grapevine.protocol.entry.EntryHeader;
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

  /** A hashtag in post text: {@code #} not glued to a word before it, then the tag's characters. */
  private static final Pattern TAG_IN_TEXT =
      Pattern.compile("(?<![\\p{L}\\p{N}_])#([\\p{L}\\p{N}_]+)");

  /**
   * Analysed text without positions: queries are sets of words, never phrases, and positions were
   * the largest part of the indexing cost and of the index on disk.
   */
  private static final FieldType WORDS = wordsType();

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

  static Term profileKey(Identity identity) {
    return new Term(PROFILE_OF, identity.toString());
  }

  /** The document of a post held with its content ({@link #indexedPost}). */
  static Document post(LogEntry e) {
    EntryHeader h = e.header();
    String text = e.content().get().getPost().getText();
    Document d = new Document();
    d.add(new StringField(KIND, POST, Field.Store.NO));
    d.add(new StringField(ID, new BytesRef(e.id().unsafeBytes()), Field.Store.YES));
    d.add(new StringField(IDENTITY, h.identity().toString(), Field.Store.NO));
    d.add(new StringField(AUTHOR, new BytesRef(h.author().unsafeBytes()), Field.Store.NO));
    d.add(new LongPoint(SEQ, h.seq()));
    d.add(new Field(TEXT, text, WORDS));
    for (String tag : hashtags(text)) {
      d.add(new StringField(TAG, tag, Field.Store.NO));
    }
    d.add(new NumericDocValuesField(TIME, h.timestampMillis()));
    return d;
  }

  /** The document of an identity's latest profile entry (held with its content). */
  static Document profile(LogEntry e) {
    Profile p = e.content().get().getProfile();
    Identity identity = e.header().identity();
    Document d = new Document();
    d.add(new StringField(KIND, PROFILE, Field.Store.NO));
    d.add(new StringField(PROFILE_OF, identity.toString(), Field.Store.YES));
    d.add(new StringField(IDENTITY, identity.toString(), Field.Store.NO));
    d.add(new StoredField(PROFILE_ENTRY, e.id().toHex()));
    d.add(new StoredField(NAME, p.getName()));
    d.add(new StoredField(BIO, p.getBio()));
    d.add(new StringField(NAME_KEY, p.getName().toLowerCase(Locale.ROOT), Field.Store.NO));
    d.add(new Field(TEXT, p.getName() + "\n" + p.getBio(), WORDS));
    d.add(new NumericDocValuesField(TIME, e.header().timestampMillis()));
    return d;
  }

  /** The lower-case hashtags of a post's text, without {@code #}, in order, each once. */
  static Set<String> hashtags(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = TAG_IN_TEXT.matcher(text);
    while (m.find() && out.size() < MAX_TAGS_PER_POST) {
      String tag = m.group(1);
      if (tag.length() <= SearchQuery.MAX_HASHTAG_CHARS) {
        out.add(tag.toLowerCase(Locale.ROOT));
      }
    }
    return out;
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
