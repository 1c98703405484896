package org.grapevine.node.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.grapevine.node.LogQueries;
import org.grapevine.node.engine.StoreObserver;
import org.grapevine.node.storage.Applied;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full-text search over what the store holds (Lucene, {@link SearchDocuments} says what is
 * indexed), kept in {@code <data dir>/search/index} and fed by the engine as a {@link
 * StoreObserver}: from the same writes as the store's own indexes, in the same order.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>An applied post held with its content is indexed; one held without it (quota, deleted
 *       first) is indexed when its content is filled in ({@link #onContentFilled}).
 *   <li>A delete whose target lost its content in the store removes the target's document (a
 *       profile target: the identity's profile document is recomputed).
 *   <li>A revocation that purged entries removes the documents of the device's log above its new
 *       head, and recomputes the identity's profile.
 *   <li>A profile entry recomputes the identity's profile document from the store ({@code
 *       LogQueries.latestProfile}, the name the API shows).
 *   <li>Crash rule: a file {@code search/unclean} exists from {@link #open} to a clean {@link
 *       #close} (which commits first). At open, the index is rebuilt from the store when that file
 *       is there (the node was killed: Lucene's last commit and the store's WAL-less writes may
 *       disagree either way), when there is no index, or when its commit was written by another
 *       index format; the log says so. So after kill -9 the index equals a rebuild. A write that
 *       fails is logged, and the file stays, so the next start rebuilds.
 * </ol>
 *
 * Writes come from one thread (the engine's); {@link #search} may run on any thread and sees every
 * write made before it (a near-real-time reader is refreshed first). Plain class, no threads.
 */
public final class SearchIndex implements StoreObserver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SearchIndex.class);

  /** Results of each kind one search returns at most. */
  public static final int MAX_RESULTS = 100;

  static final double RAM_BUFFER_MB = 32;

  /** Bump when documents change shape: an index of another format is rebuilt at open. */
  static final String FORMAT = "4";

  private static final String FORMAT_KEY = "grapevine.search.format";
  static final String UNCLEAN = "unclean";

  private final Path directory;
  private final PostStore store;
  private final Analyzer analyzer = SearchDocuments.analyzer();
  private final FSDirectory lucene;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Searcher searcher;
  private final PostFields postFields = new PostFields();
  private volatile boolean failed;
  private String rebuiltBecause;

  private SearchIndex(Path directory, PostStore store) throws IOException {
    this.directory = directory;
    this.store = store;
    this.lucene = FSDirectory.open(directory.resolve("index"));
    // A larger buffer than Lucene's 16 MB: fewer flushes and merges on the storage thread and
    // the machine's few cores; the index is rebuilt after a crash anyway, so nothing is at risk.
    IndexWriterConfig config =
        new IndexWriterConfig(analyzer)
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
            .setRAMBufferSizeMB(RAM_BUFFER_MB)
            .setUseCompoundFile(false);
    this.writer = new IndexWriter(lucene, config);
    this.searchers = new SearcherManager(writer, null);
    this.searcher = new Searcher(analyzer);
  }

  /** The index's directory in a node's data directory. */
  public static Path directoryIn(Path dataDir) {
    return dataDir.resolve("search");
  }

  /**
   * Opens the index in {@code directory} over {@code store}, rebuilding it from the store when the
   * crash rule says so (see the class comment) or when {@code rebuild} asks.
   *
   * @throws UncheckedIOException naming the directory when it cannot be read or written
   */
  public static SearchIndex open(Path directory, PostStore store, boolean rebuild) {
    try {
      Files.createDirectories(directory);
      String reason =
          rebuild ? "asked for" : SearchFiles.staleReason(directory, FORMAT_KEY, FORMAT);
      SearchFiles.writeMarker(directory.resolve(UNCLEAN));
      if (reason != null) {
        SearchFiles.deleteTree(directory.resolve("index"));
      }
      SearchIndex index = new SearchIndex(directory, store);
      if (reason != null) {
        long started = System.nanoTime();
        try {
          index.rebuild();
        } catch (IOException | RuntimeException e) {
          index.failed = true; // The marker stays: the next open rebuilds again.
          index.close();
          throw e;
        }
        index.rebuiltBecause = reason;
        LOG.info(
            "search index {} rebuilt from the store ({}): {} documents in {} ms",
            directory,
            reason,
            index.documents(),
            (System.nanoTime() - started) / 1_000_000);
      }
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException("search index " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * For a node that runs without the index: a later {@link #open} rebuilds it, since the entries
   * stored meanwhile are not in it.
   */
  public static void markStale(Path directory) {
    try {
      if (Files.isDirectory(directory)) {
        SearchFiles.writeMarker(directory.resolve(UNCLEAN));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("search index " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Why {@link #open} rebuilt the index; empty when it opened the committed one. */
  public Optional<String> rebuiltBecause() {
    return Optional.ofNullable(rebuiltBecause);
  }

  /**
   * Recomputes the whole index from the store: every post held with its content (loose ones, issue
   * 15, included), every identity's latest profile. Nothing else may write meanwhile.
   */
  public void rebuild() throws IOException {
    writer.deleteAll();
    for (LogEntry e : store.looseEntries()) {
      if (SearchDocuments.indexedPost(e)) {
        writer.addDocument(postFields.of(e));
      }
    }
    for (Identity identity : store.identities()) {
      for (AuthorKey device : store.devices(identity).keySet()) {
        long head = store.contiguousHead(device);
        for (long seq = 1; seq <= head; seq++) {
          Optional<LogEntry> e = store.logEntry(device, seq);
          if (e.isPresent() && SearchDocuments.indexedPost(e.get())) {
            writer.addDocument(postFields.of(e.get()));
          }
        }
      }
      profile(identity);
    }
    commit();
  }

  /** Documents in the index (posts and profiles), as of the last write. */
  public long documents() {
    return writer.getDocStats().numDocs;
  }

  // ---- Fed by the engine ----

  @Override
  public void onApplied(LogEntry stored, Applied applied) {
    written(stored, applied.purgedEntries() > 0, false);
  }

  @Override
  public void onContentFilled(LogEntry full) {
    written(full, false, true);
  }

  @Override
  public void onLooseEvicted(List<LogEntry> removed) {
    for (LogEntry e : removed) {
      try {
        writer.deleteDocuments(SearchDocuments.postKey(e.id()));
      } catch (IOException | RuntimeException ex) {
        fail(e, ex);
        return;
      }
    }
  }

  private void written(LogEntry e, boolean purged, boolean filled) {
    try {
      EntryHeader h = e.header();
      if (SearchDocuments.indexedPost(e)) {
        // A newly applied entry was never indexed (nothing is applied twice); a filled one may
        // have been indexed by a rebuild racing nothing, but updating costs little there.
        if (filled) {
          writer.updateDocument(SearchDocuments.postKey(e.id()), postFields.of(e));
        } else {
          writer.addDocument(postFields.of(e));
        }
      } else if (h.kind() == ContentKind.PROFILE && e.hasContent()) {
        profile(h.identity());
      } else if (h.kind() == ContentKind.DELETE && e.hasContent()) {
        Optional<EntryId> target = PostStore.deleteTarget(e.content().get());
        if (target.isPresent()) {
          deleted(target.get());
        }
      }
      if (purged && e.content().map(Content::hasRevokeDevice).orElse(false)) {
        AuthorKey device =
            AuthorKey.of(e.content().get().getRevokeDevice().getDevice().toByteArray());
        purged(h.identity(), device);
      }
    } catch (IOException | RuntimeException ex) {
      fail(e, ex);
    }
  }

  /** The store carried out a delete of {@code target}: drop what it dropped. */
  private void deleted(EntryId target) throws IOException {
    Optional<LogEntry> held = store.entryById(target);
    if (held.isEmpty() || held.get().hasContent()) {
      return; // Not held, or not the delete's to drop (another identity's entry).
    }
    if (held.get().header().kind() == ContentKind.PROFILE) {
      profile(held.get().header().identity());
    } else {
      writer.deleteDocuments(SearchDocuments.postKey(target));
    }
  }

  /** A revocation cut the device's log back to its held head: drop the documents above it. */
  private void purged(Identity identity, AuthorKey device) throws IOException {
    long head = store.contiguousHead(device);
    writer.deleteDocuments(
        new BooleanQuery.Builder()
            .add(new TermQuery(SearchDocuments.authorKey(device)), BooleanClause.Occur.FILTER)
            .add(
                NumericDocValuesField.newSlowRangeQuery(
                    SearchDocuments.SEQ, head + 1, Long.MAX_VALUE),
                BooleanClause.Occur.FILTER)
            .build());
    profile(identity);
  }

  /** Recomputes the identity's profile document from the store. */
  private void profile(Identity identity) throws IOException {
    Optional<LogEntry> latest = LogQueries.latestProfile(store, identity);
    Term key = SearchDocuments.profileKey(identity);
    if (latest.isPresent()) {
      writer.updateDocument(key, SearchDocuments.profile(latest.get()));
    } else {
      writer.deleteDocuments(key);
    }
  }

  private void fail(LogEntry e, Exception ex) {
    if (!failed) {
      LOG.error(
          "search index {} failed to follow entry {}; it will be rebuilt at the next start",
          directory,
          e.id(),
          ex);
    }
    failed = true;
  }

  /** Whether a write failed since open: searches may miss or show entries until a rebuild. */
  public boolean failed() {
    return failed;
  }

  // ---- Reads ----

  /**
   * Posts and profiles matching {@code query}, at most {@code limit} of each, leaving out the
   * identities in {@code hidden} (muted ones).
   *
   * @throws SearchQueryException if the query holds nothing to search for after analysis, or too
   *     many terms
   * @throws IllegalArgumentException if {@code limit} is not 1 to {@link #MAX_RESULTS}
   */
  public SearchResult search(SearchQuery query, int limit, java.util.Set<Identity> hidden)
      throws SearchQueryException {
    try {
      searchers.maybeRefreshBlocking();
      IndexSearcher s = searchers.acquire();
      try {
        return searcher.search(s, query, limit, hidden);
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("search index " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every document as one line ({@code post <id>} or {@code profile <identity> <entry> <name>}),
   * sorted: what tests compare between a live index and a rebuild.
   */
  java.util.List<String> dump() throws IOException {
    searchers.maybeRefreshBlocking();
    IndexSearcher s = searchers.acquire();
    try {
      java.util.List<String> out = new java.util.ArrayList<>();
      org.apache.lucene.search.TopDocs all =
          s.search(new org.apache.lucene.search.MatchAllDocsQuery(), Integer.MAX_VALUE);
      for (org.apache.lucene.search.ScoreDoc d : all.scoreDocs) {
        org.apache.lucene.document.Document doc = s.storedFields().document(d.doc);
        String of = doc.get(SearchDocuments.PROFILE_OF);
        out.add(
            of == null
                ? "post " + SearchDocuments.postId(doc).toHex()
                : "profile "
                    + of
                    + " "
                    + doc.get(SearchDocuments.PROFILE_ENTRY)
                    + " "
                    + doc.get(SearchDocuments.NAME));
      }
      java.util.Collections.sort(out);
      return out;
    } finally {
      searchers.release(s);
    }
  }

  // ---- Lifecycle ----

  private void commit() throws IOException {
    writer.setLiveCommitData(Map.of(FORMAT_KEY, FORMAT).entrySet());
    writer.commit();
  }

  /**
   * Commits and closes; the unclean marker goes only after the commit, and stays if a write failed
   * since open (the next open rebuilds).
   */
  @Override
  public void close() {
    try {
      searchers.close();
      commit();
      writer.close();
      lucene.close();
      if (!failed) {
        Files.deleteIfExists(directory.resolve(UNCLEAN));
      }
    } catch (IOException e) {
      LOG.error(
          "closing search index {} failed; it will be rebuilt at the next start", directory, e);
    } finally {
      analyzer.close();
    }
  }
}
