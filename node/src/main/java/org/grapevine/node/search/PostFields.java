package org.grapevine.node.search;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.LogEntry;

/**
 * The fields of a post document ({@link SearchDocuments} says what they hold), made once and
 * refilled for each post: Lucene allows a field to be reused once {@code addDocument} returned, and
 * a post's dozen small objects (a {@code LongPoint}, as the seq was, made a new field type each
 * time) were a measurable part of the index's cost on the storage thread. The three byte-valued
 * fields are still made per post: Lucene refuses a new byte value on an indexed field.
 *
 * <p>Rule: one instance per writing thread; {@link #of} returns a list that the next call
 * overwrites, so hand it to the writer before calling again.
 */
final class PostFields {
  private final Field kind =
      new StringField(SearchDocuments.KIND, SearchDocuments.POST, Field.Store.NO);
  private final Field seq = new NumericDocValuesField(SearchDocuments.SEQ, 0L);
  private final Field text = new Field(SearchDocuments.TEXT, "", SearchDocuments.WORDS);
  private final Field time = new NumericDocValuesField(SearchDocuments.TIME, 0L);
  private final List<Field> tags = new ArrayList<>();
  private final List<IndexableField> fields = new ArrayList<>();

  /**
   * The fields of {@code e}, a post held with its content ({@link SearchDocuments#indexedPost}).
   */
  List<IndexableField> of(LogEntry e) {
    EntryHeader h = e.header();
    String body = e.content().get().getPost().getText();
    fields.clear();
    fields.add(kind);
    // Lucene refuses a new byte value on an indexed field: these three are made per post.
    fields.add(
        new StringField(SearchDocuments.ID, new BytesRef(e.id().unsafeBytes()), Field.Store.YES));
    fields.add(
        new StringField(
            SearchDocuments.IDENTITY, SearchDocuments.identityKey(h.identity()), Field.Store.NO));
    fields.add(
        new StringField(
            SearchDocuments.AUTHOR, new BytesRef(h.author().unsafeBytes()), Field.Store.NO));
    fields.add(seq);
    fields.add(text);
    fields.add(time);
    seq.setLongValue(h.seq());
    text.setStringValue(body);
    time.setLongValue(h.timestampMillis());
    int n = 0;
    for (String tag : SearchDocuments.hashtags(body)) {
      if (n == tags.size()) {
        tags.add(new StringField(SearchDocuments.TAG, tag, Field.Store.NO));
      } else {
        tags.get(n).setStringValue(tag);
      }
      fields.add(tags.get(n++));
    }
    return fields;
  }
}
