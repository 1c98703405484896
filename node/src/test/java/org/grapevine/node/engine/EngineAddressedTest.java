package org.grapevine.node.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.node.storage.Applied;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestAuthors.Person;
import org.grapevine.protocol.testing.TestContent;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Engine#ingestAddressed} against a real RocksDB store: Bob's node, which holds Bob's log
 * and follows nobody else, takes in what strangers address to him (issue 15).
 */
class EngineAddressedTest {
  private static final long NOW = T0_MILLIS + 60_000;

  @TempDir Path dir;
  private RocksPostStore store;
  private Engine engine;
  private final AddressedValidator validator = new AddressedValidator(new EntryValidator());

  private final Person bob = TestAuthors.person("bob");
  private final SigningKey bobLaptop = bob.deviceKey("laptop");
  private final LogWriter bobLog = bob.deviceLog(bobLaptop);
  private LogEntry bobPost;

  private final Stranger carol = new Stranger("carol");

  /** Someone Bob's node knows nothing of: a device, its delegation, its log. */
  private static final class Stranger {
    final Person person;
    final SigningKey phone;
    final LogEntry delegation;
    final LogWriter log;

    Stranger(String name) {
      person = TestAuthors.person(name);
      phone = person.deviceKey("phone");
      delegation = person.delegate(phone, T0_MILLIS);
      log = person.deviceLog(phone);
    }

    byte[] addressed(LogEntry e) {
      return AddressedCodec.encode(e, delegation);
    }
  }

  @BeforeEach
  void open() {
    store = RocksPostStore.open(dir.resolve("store"));
    engine = engine(LooseLimits.Config.DEFAULT.totalBytes());
    store.apply(bob.delegate(bobLaptop, T0_MILLIS));
    bobPost = bobLog.append(TestAuthors.post("hello"), T0_MILLIS + 1);
    store.apply(bobPost);
  }

  /** An engine over the store: 3 entries a writer, 5 an addressee a minute, this many bytes. */
  private Engine engine(long looseTotalBytes) {
    return new Engine(
        store,
        new EntryValidator(),
        new ChainChecker(),
        4,
        8,
        new Budgets(
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            new LooseLimits.Config(3, 1 << 20, 5, 60_000, 100, looseTotalBytes)));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private IngestOutcome onBobsTopic(byte[] message) {
    return engine.ingestAddressed(validator.validate(message), bob.identity, NOW);
  }

  @Test
  void aStrangersReplyReactionAndRepost_areStoredLoose_andShowOnBobsPost() {
    LogEntry reply = carol.log.append(TestContent.reply("hi Bob", bobPost), T0_MILLIS + 2);
    LogEntry heart = carol.log.append(TestContent.reaction("❤", bobPost), T0_MILLIS + 3);
    LogEntry repost = carol.log.append(TestContent.repost(bobPost), T0_MILLIS + 4);

    for (LogEntry e : new LogEntry[] {reply, heart, repost}) {
      assertThat(onBobsTopic(carol.addressed(e))).isInstanceOf(IngestOutcome.Stored.class);
    }
    assertThat(onBobsTopic(carol.addressed(reply))).isInstanceOf(IngestOutcome.Duplicate.class);

    assertThat(store.replies(bobPost.id())).extracting(LogEntry::id).containsExactly(reply.id());
    assertThat(store.counts(bobPost.id()).reposts()).isEqualTo(1);
    assertThat(store.counts(bobPost.id()).reactionTotal()).isEqualTo(1);
    assertThat(store.contiguousHead(carol.phone.publicKey())).isZero();
    assertThat(engine.countsBySource())
        .containsEntry("addressed.stored_loose", 3L)
        .containsEntry("addressed.duplicate", 1L);
  }

  /**
   * Over the total of loose bytes, the oldest loose entries go down to nine tenths of it; the count
   * and the store observer (the search index) are told.
   */
  @Test
  void overTheTotalOfLooseBytes_theOldestAreEvicted_countedAndObserved() {
    LogEntry first = carol.log.append(TestContent.reply("one", bobPost), T0_MILLIS + 2);
    LogEntry second = carol.log.append(TestContent.reply("two", bobPost), T0_MILLIS + 3);
    LogEntry third = carol.log.append(TestContent.reply("six", bobPost), T0_MILLIS + 4);
    long each = PostStore.looseSize(first.signed());
    Engine small = engine(each * 5 / 2);
    List<LogEntry> observed = new ArrayList<>();
    small.setStoreObserver(
        new StoreObserver() {
          @Override
          public void onApplied(LogEntry stored, Applied applied) {}

          @Override
          public void onContentFilled(LogEntry full) {}

          @Override
          public void onLooseEvicted(List<LogEntry> removed) {
            observed.addAll(removed);
          }
        });

    for (LogEntry e : List.of(first, second, third)) {
      assertThat(small.ingestAddressed(validator.validate(carol.addressed(e)), bob.identity, NOW))
          .isInstanceOf(IngestOutcome.Stored.class);
    }

    assertThat(observed).extracting(LogEntry::id).containsExactly(first.id());
    assertThat(store.looseEntries())
        .extracting(LogEntry::id)
        .containsExactly(second.id(), third.id());
    assertThat(store.looseBytes()).isLessThanOrEqualTo(each * 5 / 2 - each / 4);
    assertThat(small.countsBySource())
        .containsEntry("addressed.stored_loose", 3L)
        .containsEntry("addressed.evicted_loose", 1L);
  }

  @Test
  void forgedAddressing_isTheSendersFault() {
    Person dave = TestAuthors.person("dave");
    LogEntry davePost =
        dave.deviceLog(dave.deviceKey("x")).append(TestAuthors.post("dave's"), T0_MILLIS);
    // A reply to Dave, published on Bob's topic.
    LogEntry toDave = carol.log.append(TestContent.reply("hi Dave", davePost), T0_MILLIS + 2);
    assertRejected(onBobsTopic(carol.addressed(toDave)), RejectReason.NOT_ADDRESSED);
    // Bob's own entry on his own addressee topic.
    LogEntry own = bobLog.append(TestContent.reply("me", bobPost), T0_MILLIS + 3);
    assertRejected(
        engine.ingestAddressed(
            validator.validate(AddressedCodec.encode(own, bob.delegate(bobLaptop, T0_MILLIS))),
            bob.identity,
            NOW),
        RejectReason.WRONG_TOPIC);
    // A proof delegating another device.
    LogEntry reply = carol.log.append(TestContent.reply("hi", bobPost), T0_MILLIS + 4);
    byte[] badProof =
        AddressedCodec.encode(
            reply, carol.person.delegate(carol.person.deviceKey("pc"), T0_MILLIS));
    assertRejected(onBobsTopic(badProof), RejectReason.BAD_DELEGATION_PROOF);
    assertThat(RejectReason.NOT_ADDRESSED.senderAtFault()).isTrue();
    assertThat(RejectReason.BAD_DELEGATION_PROOF.senderAtFault()).isTrue();
    assertThat(store.looseEntries()).isEmpty();
    assertThat(engine.countsBySource())
        .containsEntry("addressed.rejected.not_addressed", 1L)
        .containsEntry("addressed.rejected.bad_delegation_proof", 1L);
  }

  @Test
  void aRevokedDevice_asFarAsBobKnows_isRefused() {
    // Bob holds Carol's root log, which revoked the phone after seq 1.
    store.apply(carol.delegation);
    store.apply(carol.person.revoke(carol.phone, 1, T0_MILLIS + 1));
    carol.log.append(TestAuthors.post("before"), T0_MILLIS + 2);
    LogEntry after = carol.log.append(TestContent.reply("after", bobPost), T0_MILLIS + 3);

    assertRejected(onBobsTopic(carol.addressed(after)), RejectReason.REVOKED_DEVICE);
    assertThat(store.looseEntries()).isEmpty();
  }

  @Test
  void blockedWriters_areIgnored_andCounted() {
    store.block(carol.person.identity);
    LogEntry reply = carol.log.append(TestContent.reply("hi Bob", bobPost), T0_MILLIS + 2);
    assertThat(onBobsTopic(carol.addressed(reply))).isInstanceOf(IngestOutcome.Ignored.class);
    assertThat(store.looseEntries()).isEmpty();
    assertThat(engine.countsBySource()).containsEntry("addressed.ignored_blocked", 1L);
  }

  @Test
  void mutedWriters_areIgnored() {
    store.mute(carol.person.identity);
    LogEntry reply = carol.log.append(TestContent.reply("hi Bob", bobPost), T0_MILLIS + 2);
    assertThat(onBobsTopic(carol.addressed(reply))).isInstanceOf(IngestOutcome.Ignored.class);
    assertThat(store.looseEntries()).isEmpty();
  }

  @Test
  void aFlood_isCutAtEachWritersLimit_andAtTheAddresseesLimit() {
    // Per writer: 3 per window.
    for (int i = 0; i < 10; i++) {
      LogEntry e = carol.log.append(TestContent.reply("spam " + i, bobPost), T0_MILLIS + 2 + i);
      onBobsTopic(carol.addressed(e));
    }
    assertThat(store.looseEntries()).hasSize(3);
    assertThat(engine.countsBySource()).containsEntry("addressed.ignored_writer_limit", 7L);
    // Per addressee: 5 per window from all strangers (fresh identities cost nothing).
    for (int i = 0; i < 4; i++) {
      Stranger s = new Stranger("sybil " + i);
      onBobsTopic(s.addressed(s.log.append(TestContent.reply("hi", bobPost), T0_MILLIS + 20)));
    }
    assertThat(store.looseEntries()).hasSize(5);
    assertThat(engine.countsBySource()).containsEntry("addressed.ignored_addressee_limit", 2L);
    // The next window takes more.
    LogEntry later = carol.log.append(TestContent.reply("later", bobPost), T0_MILLIS + 30);
    assertThat(
            engine.ingestAddressed(
                validator.validate(carol.addressed(later)), bob.identity, NOW + 60_000))
        .isInstanceOf(IngestOutcome.Stored.class);
  }

  @Test
  void theNextEntryOfAKnownDevice_isChained() {
    store.apply(carol.delegation);
    LogEntry reply = carol.log.append(TestContent.reply("hi Bob", bobPost), T0_MILLIS + 2);
    assertThat(onBobsTopic(carol.addressed(reply))).isInstanceOf(IngestOutcome.Stored.class);
    assertThat(store.contiguousHead(carol.phone.publicKey())).isEqualTo(1);
    assertThat(store.looseEntries()).isEmpty();
    assertThat(engine.countsBySource()).containsEntry("addressed.stored", 1L);
  }

  @Test
  void invalidMessages_areRefused() {
    Verification v = validator.validate(new byte[] {1, 2, 3});
    assertRejected(
        engine.ingestAddressed(v, Identity.of(bob.root.publicKey()), NOW),
        RejectReason.MALFORMED_ENVELOPE);
  }

  private static void assertRejected(IngestOutcome o, RejectReason reason) {
    assertThat(o).isInstanceOf(IngestOutcome.Rejected.class);
    assertThat(((IngestOutcome.Rejected) o).reason()).as(o.toString()).isEqualTo(reason);
  }
}
