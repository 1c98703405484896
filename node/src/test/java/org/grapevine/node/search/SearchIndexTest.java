package org.grapevine.node.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.Applied;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search index fed by the engine over a real RocksDB store, as the node wires it: what is
 * found, what a delete, a delete that came first, a revocation and a late content fill do to it,
 * that a rebuild equals the live index, and the crash rule as far as one JVM can show it ({@link
 * SearchCrashIT} kills a real process).
 */
class SearchIndexTest {
  private static final long NOW = T0_MILLIS + 60_000;
  @TempDir Path dir;
  private RocksPostStore store;
  private SearchIndex index;
  private Engine engine;
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final SigningKey phone = alice.deviceKey("phone");
  private final SigningKey bobPhone = bob.deviceKey("phone");
  private final LogWriter laptopLog = alice.deviceLog(laptop);
  private final LogWriter phoneLog = alice.deviceLog(phone);
  private final LogWriter bobLog = bob.deviceLog(bobPhone);

  @BeforeEach
  void open() {
    store = RocksPostStore.open(dir.resolve("store"));
    index = SearchIndex.open(dir.resolve("search"), store, false);
    engine = new Engine(store, new EntryValidator(), new ChainChecker(), 16, 64);
    engine.setStoreObserver(index);
    ingest(alice.delegate(laptop, T0_MILLIS));
    ingest(alice.delegate(phone, T0_MILLIS));
    ingest(bob.delegate(bobPhone, T0_MILLIS));
  }

  @AfterEach
  void close() {
    if (index != null) {
      index.close();
    }
    store.close();
  }

  private LogEntry ingest(LogEntry e) {
    assertThat(engine.ingest(e, IngestSource.SYNC, NOW))
        .isInstanceOfAny(IngestOutcome.Stored.class, IngestOutcome.ContentFilled.class);
    return e;
  }

  private List<EntryId> posts(String query) throws SearchQueryException {
    return index.search(SearchQuery.parse(query), 20, Set.of()).posts();
  }

  @Test
  void search_word_hashtag_author_findsThePost() throws Exception {
    LogEntry coffee = ingest(laptopLog.append(post("Best Café in #Rome today"), T0_MILLIS + 1));
    LogEntry tea = ingest(bobLog.append(post("tea in #rome, not coffee"), T0_MILLIS + 2));
    ingest(laptopLog.append(TestContent.profile("Alice Liddell"), T0_MILLIS + 3));

    assertThat(posts("cafe")).containsExactly(coffee.id()); // Accents folded, case ignored.
    assertThat(posts("#ROME")).containsExactly(tea.id(), coffee.id()); // Newest first.
    assertThat(posts("#rome from:" + alice.identity)).containsExactly(coffee.id());
    assertThat(posts("in from:alice")).isEmpty(); // "Alice Liddell" is not "alice".
    SearchResult r = index.search(SearchQuery.parse("liddell"), 20, Set.of());
    assertThat(r.profiles())
        .extracting(SearchResult.ProfileHit::identity)
        .containsExactly(alice.identity);
    assertThat(r.profiles().get(0).name()).isEqualTo("Alice Liddell");
    assertThat(index.search(SearchQuery.parse("tea from:nobody"), 20, Set.of()).unknownFrom())
        .containsExactly("nobody");
    // Hidden (muted) identities are left out.
    assertThat(index.search(SearchQuery.parse("in"), 20, Set.of(bob.identity)).posts())
        .containsExactly(coffee.id());
  }

  @Test
  void search_fromName_findsThatIdentitysPosts() throws Exception {
    ingest(bobLog.append(TestContent.profile("Bob"), T0_MILLIS + 1));
    LogEntry p = ingest(bobLog.append(post("hello world"), T0_MILLIS + 2));
    ingest(laptopLog.append(post("hello there"), T0_MILLIS + 3));

    assertThat(posts("hello from:bob")).containsExactly(p.id());
    assertThat(posts("from:BOB")).containsExactly(p.id()); // A filter alone: newest first.
  }

  @Test
  void deletedPost_isNotFound_alsoWhenTheDeleteCameFirst() throws Exception {
    LogEntry regretted = ingest(laptopLog.append(post("regretted words"), T0_MILLIS + 1));
    assertThat(posts("regretted")).containsExactly(regretted.id());
    ingest(laptopLog.append(TestContent.delete(regretted), T0_MILLIS + 2));
    assertThat(posts("regretted")).isEmpty();

    // Another device's post whose delete (from the laptop) is held before it arrives.
    LogEntry early = phoneLog.append(post("early words"), T0_MILLIS + 3);
    ingest(laptopLog.append(TestContent.delete(early), T0_MILLIS + 4));
    ingest(early);
    assertThat(store.entryById(early.id()).orElseThrow().hasContent()).isFalse();
    assertThat(posts("early")).isEmpty();
    assertThat(index.dump()).isEqualTo(rebuilt());
  }

  @Test
  void deletedProfile_nameNoLongerFound() throws Exception {
    LogEntry old = ingest(laptopLog.append(TestContent.profile("Old Name"), T0_MILLIS + 1));
    LogEntry now = ingest(laptopLog.append(TestContent.profile("New Name"), T0_MILLIS + 2));
    assertThat(index.search(SearchQuery.parse("old"), 20, Set.of()).profiles()).isEmpty();
    ingest(laptopLog.append(TestContent.delete(now), T0_MILLIS + 3));
    // The latest profile with content is the old one again.
    assertThat(index.search(SearchQuery.parse("old"), 20, Set.of()).profiles())
        .extracting(SearchResult.ProfileHit::entry)
        .containsExactly(old.id());
    assertThat(index.search(SearchQuery.parse("new"), 20, Set.of()).profiles()).isEmpty();
    assertThat(index.dump()).isEqualTo(rebuilt());
  }

  @Test
  void revokedDevicesPurgedPosts_areNotFound_earlierOnesAre() throws Exception {
    LogEntry mine = ingest(phoneLog.append(post("lighthouse mine"), T0_MILLIS + 1));
    LogEntry stolen = ingest(phoneLog.append(post("lighthouse stolen"), T0_MILLIS + 2));
    ingest(phoneLog.append(TestContent.profile("Thief"), T0_MILLIS + 3));
    assertThat(posts("lighthouse")).containsExactlyInAnyOrder(mine.id(), stolen.id());

    ingest(alice.revoke(phone, 1, T0_MILLIS + 4));

    assertThat(store.entryById(stolen.id())).isEmpty();
    assertThat(posts("lighthouse")).containsExactly(mine.id());
    assertThat(index.search(SearchQuery.parse("thief"), 20, Set.of()).profiles()).isEmpty();
    assertThat(index.dump()).isEqualTo(rebuilt());
  }

  @Test
  void contentFilledLater_isFoundOnceFilled() throws Exception {
    LogEntry late = laptopLog.append(post("patient words"), T0_MILLIS + 1);
    ingest(late.withoutContent());
    assertThat(posts("patient")).isEmpty();
    assertThat(engine.ingest(late, IngestSource.SYNC, NOW))
        .isInstanceOf(IngestOutcome.ContentFilled.class);
    assertThat(posts("patient")).containsExactly(late.id());
    assertThat(index.dump()).isEqualTo(rebuilt());
  }

  @Test
  void rebuild_equalsTheLiveIndex_andCleanReopenKeepsIt() throws Exception {
    for (int i = 0; i < 30; i++) {
      LogWriter w = i % 3 == 0 ? bobLog : i % 3 == 1 ? laptopLog : phoneLog;
      LogEntry e = ingest(w.append(post("post " + i + " #tag" + (i % 4)), T0_MILLIS + 1 + i));
      if (i % 5 == 0 && w != bobLog) {
        ingest(w.append(TestContent.delete(e), T0_MILLIS + 100 + i));
      }
    }
    ingest(bobLog.append(TestContent.profile("Bob"), T0_MILLIS + 200));
    List<String> live = index.dump();
    assertThat(live).hasSize(30 - 4 + 1);
    assertThat(rebuilt()).isEqualTo(live);

    index.close();
    assertThat(Files.exists(dir.resolve("search/unclean"))).isFalse();
    index = SearchIndex.open(dir.resolve("search"), store, false);
    assertThat(index.rebuiltBecause()).isEmpty();
    assertThat(index.dump()).isEqualTo(live);
  }

  @Test
  void aStrangersLooseReply_isFound_andARebuildKeepsIt() throws Exception {
    LogEntry mine = ingest(laptopLog.append(post("my garden"), T0_MILLIS + 1));
    TestAuthors.Person carol = TestAuthors.person("carol");
    SigningKey carolPhone = carol.deviceKey("phone");
    LogEntry reply =
        carol
            .deviceLog(carolPhone)
            .append(TestContent.reply("lovely tomatoes", mine), T0_MILLIS + 2);
    byte[] message = AddressedCodec.encode(reply, carol.delegate(carolPhone, T0_MILLIS));
    assertThat(
            engine.ingestAddressed(
                new AddressedValidator(new EntryValidator()).validate(message),
                alice.identity,
                NOW))
        .isInstanceOf(IngestOutcome.Stored.class);

    assertThat(posts("tomatoes")).containsExactly(reply.id());
    List<String> live = index.dump();
    assertThat(rebuilt()).isEqualTo(live);
  }

  /** Loose entries evicted over the total budget leave the index too, as a rebuild would. */
  @Test
  void evictedLooseEntries_areNotFound() throws Exception {
    LogEntry mine = ingest(laptopLog.append(post("my garden"), T0_MILLIS + 1));
    TestAuthors.Person carol = TestAuthors.person("carol");
    SigningKey carolPhone = carol.deviceKey("phone");
    LogWriter carolLog = carol.deviceLog(carolPhone);
    LogEntry first = carolLog.append(TestContent.reply("lovely tomatoes", mine), T0_MILLIS + 2);
    LogEntry second = carolLog.append(TestContent.reply("lovely beans", mine), T0_MILLIS + 3);
    store.applyLoose(first);
    store.applyLoose(second);
    index.onApplied(first, new Applied(false, 0));
    index.onApplied(second, new Applied(false, 0));
    assertThat(posts("lovely")).containsExactlyInAnyOrder(first.id(), second.id());

    index.onLooseEvicted(store.evictLoose(PostStore.looseSize(second.signed())));

    assertThat(posts("lovely")).containsExactly(second.id());
    assertThat(rebuilt()).isEqualTo(index.dump());
  }

  @Test
  void uncleanMarker_atOpen_rebuildsAndSaysWhy() throws Exception {
    LogEntry p = ingest(laptopLog.append(post("survivor"), T0_MILLIS + 1));
    index.close();
    // What a killed node leaves: the marker written at open, never removed.
    Files.createFile(dir.resolve("search/unclean"));
    index = SearchIndex.open(dir.resolve("search"), store, false);
    assertThat(index.rebuiltBecause()).contains("the node did not close it cleanly");
    assertThat(posts("survivor")).containsExactly(p.id());
  }

  @Test
  void markStale_thenOpen_rebuildsWhatWasStoredMeanwhile() throws Exception {
    index.close();
    index = null;
    SearchIndex.markStale(dir.resolve("search"));
    engine.setStoreObserver(org.grapevine.node.engine.StoreObserver.NONE); // Search off.
    LogEntry p = ingest(laptopLog.append(post("unseen"), T0_MILLIS + 1));
    index = SearchIndex.open(dir.resolve("search"), store, false);
    assertThat(index.rebuiltBecause()).isPresent();
    assertThat(posts("unseen")).containsExactly(p.id());
  }

  @Test
  void badQueries_refusedWithTheirCode() {
    assertCode("", SearchQueryException.Code.EMPTY);
    assertCode("   ", SearchQueryException.Code.EMPTY);
    assertCode("x".repeat(SearchQuery.MAX_QUERY_CHARS + 1), SearchQueryException.Code.TOO_LONG);
    assertCode("a ".repeat(SearchQuery.MAX_TERMS + 1), SearchQueryException.Code.TOO_MANY_TERMS);
    assertCode("#", SearchQueryException.Code.BAD_HASHTAG);
    assertCode("#a-b", SearchQueryException.Code.BAD_HASHTAG);
    assertCode("from:", SearchQueryException.Code.BAD_FROM);
    assertCode("from:a from:b from:c from:d from:e", SearchQueryException.Code.BAD_FROM);
    // Lucene syntax is plain text here: nothing to parse, nothing to fail.
    assertThatThrownBy(() -> posts("!!! *"))
        .isInstanceOfSatisfying(
            SearchQueryException.class,
            e -> assertThat(e.code()).isEqualTo(SearchQueryException.Code.EMPTY));
    assertThatThrownBy(
            () ->
                posts(
                    String.join(
                        "-", java.util.Collections.nCopies(Searcher.MAX_WORD_TERMS + 1, "w"))))
        .isInstanceOfSatisfying(
            SearchQueryException.class,
            e -> assertThat(e.code()).isEqualTo(SearchQueryException.Code.TOO_MANY_TERMS));
  }

  @Test
  void luceneSyntax_isPlainWords() throws Exception {
    LogEntry p = ingest(laptopLog.append(post("title: (AND) \"quoted\" wild*"), T0_MILLIS + 1));
    assertThat(posts("title: (AND \"quoted wild*")).containsExactly(p.id());
  }

  private static void assertCode(String query, SearchQueryException.Code code) {
    assertThatThrownBy(() -> SearchQuery.parse(query))
        .isInstanceOfSatisfying(
            SearchQueryException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  /** A rebuild of the same store in another directory, dumped. */
  private List<String> rebuilt() throws Exception {
    try (SearchIndex other = SearchIndex.open(dir.resolve("rebuilt"), store, true)) {
      return other.dump();
    }
  }
}
