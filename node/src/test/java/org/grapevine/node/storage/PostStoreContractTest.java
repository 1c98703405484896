package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.DeviceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PostStore} must do, observed through the interface only. Each implementation
 * runs these tests ({@code RocksPostStoreTest}, {@code MemoryPostStoreTest}) and adds its own
 * (reopen, on-disk rows).
 */
abstract class PostStoreContractTest {
  PostStore store;

  /** A fresh, empty store. */
  abstract PostStore openStore();

  /** A fresh, empty store whose peer table holds at most {@code maxPeers} peers. */
  abstract PostStore openStore(int maxPeers);

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  /**
   * A reader on another thread sees the rows one write changes together: never a delegated device
   * with its root log's head from before the delegation (CI once saw that in DeviceDelegationIT,
   * the store's cache learning the device row and the head one after the other). The reader asks,
   * as fast as it can, about the device whose delegation is written next; the writer writes 2,000.
   */
  @Test
  void concurrentReader_neverSeesADelegatedDeviceAheadOfItsRootHead() throws Exception {
    Author alice = new Author("alice").delegatedIn(store); // Root log seq 1.
    int count = 2_000;
    List<LogEntry> delegations = new java.util.ArrayList<>(count);
    List<org.grapevine.protocol.identity.AuthorKey> devices = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      org.grapevine.protocol.crypto.SigningKey key = alice.person.deviceKey("d" + i);
      devices.add(key.publicKey());
      delegations.add(alice.person.delegate(key, T0_MILLIS)); // Root log seq i + 2.
    }
    java.util.concurrent.atomic.AtomicInteger written =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> seen =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
    Thread reader =
        new Thread(
            () -> {
              int next;
              while ((next = written.get()) < count && seen.get() == null) {
                DeviceStatus device = store.deviceStatus(alice.identity(), devices.get(next));
                long head = store.contiguousHead(alice.person.root.publicKey());
                if (device.state() == DeviceStatus.State.ACTIVE && head < next + 2) {
                  seen.set("device " + next + " delegated at seq " + (next + 2) + ", head " + head);
                }
                reads.incrementAndGet();
              }
            },
            "contract-reader");
    reader.start();
    for (int i = 0; i < count && seen.get() == null; i++) {
      store.apply(delegations.get(i));
      written.incrementAndGet();
      Thread.onSpinWait();
    }
    written.set(count);
    reader.join();

    assertThat(seen.get()).isNull();
    assertThat(reads.get()).isPositive();
    assertThat(store.contiguousHead(alice.person.root.publicKey())).isEqualTo(count + 1L);
  }

  @Test
  void apply_delegationAndPost_roundTripsEntryContentAndHead() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry post = alice.post("hello", T0_MILLIS + 1);
    store.apply(post, true);

    LogEntry read = store.logEntry(alice.deviceKey.publicKey(), 1).orElseThrow();
    assertThat(read.signed()).isEqualTo(post.signed());
    assertThat(read.header()).isEqualTo(post.header());
    assertThat(read.content()).isEqualTo(post.content());
    assertThat(read.toEnvelopeBytes()).isEqualTo(post.toEnvelopeBytes());
    assertThat(store.entryById(post.id()).orElseThrow().signed()).isEqualTo(post.signed());
    assertThat(store.entry(alice.deviceKey.publicKey(), 1)).contains(post.signed());
    assertThat(store.contiguousHead(alice.deviceKey.publicKey())).isEqualTo(1);
    assertThat(store.contiguousHead(alice.identity().root())).isEqualTo(1);
    assertThat(store.contiguousHead(TestAuthors.key("nobody").publicKey())).isZero();
    assertThat(store.entry(alice.deviceKey.publicKey(), 2)).isEmpty();
    assertThat(store.storedBytes(alice.identity()))
        .isEqualTo(alice.delegation.header().contentSize() + post.header().contentSize());
  }

  /**
   * What sync by name relies on: an unfollowed identity's logs stay held (its root log head above
   * 0), so that the node can serve them to a peer that names the identity.
   */
  @Test
  void unfollow_keepsTheIdentitysLogs() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry post = alice.post("hello", T0_MILLIS + 1);
    store.apply(post, true);
    store.follow(alice.identity());
    store.unfollow(alice.identity());

    assertThat(store.follows()).isEmpty();
    assertThat(store.contiguousHead(alice.identity().root())).isEqualTo(1);
    assertThat(store.devices(alice.identity())).containsKey(alice.deviceKey.publicKey());
    assertThat(store.logEntry(alice.deviceKey.publicKey(), 1).orElseThrow().hasContent()).isTrue();
  }

  @Test
  void entryIdsWithPrefix_oddAndEvenPrefixes_findHeldIdsInOrder() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry a = alice.post("one", T0_MILLIS + 1);
    store.apply(a);
    LogEntry b = alice.post("two", T0_MILLIS + 2);
    store.apply(b);
    String hex = a.id().toHex();

    assertThat(store.entryIdsWithPrefix(hex, 10)).containsExactly(a.id());
    assertThat(store.entryIdsWithPrefix(b.id().toHex(), 10)).containsExactly(b.id());
    String three = hex.substring(0, 3);
    assertThat(store.entryIdsWithPrefix(three, 10))
        .contains(a.id())
        .isSorted()
        .allSatisfy(id -> assertThat(id.toHex()).startsWith(three));
    assertThat(store.entryIdsWithPrefix(three, 0)).isEmpty();
    assertThatThrownBy(() -> store.entryIdsWithPrefix("XY", 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void identities_listsIdentitiesWithDelegatedDevicesOnly() {
    assertThat(store.identities()).isEmpty();
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    assertThat(store.identities()).containsExactlyInAnyOrder(alice.identity(), bob.identity());
    assertThat(List.copyOf(store.identities())).isSorted();
  }

  @Test
  void timeline_manyIdentitiesRandomTimes_pagesEqualTheSortedRowsOfTheFollowedOnes() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    List<Author> authors = new java.util.ArrayList<>();
    List<LogEntry> posts = new java.util.ArrayList<>();
    for (int a = 0; a < 30; a++) {
      Author author = new Author("author-" + a).delegatedIn(store);
      authors.add(author);
      long t = T0_MILLIS;
      for (int i = 0; i < 1 + random.nextInt(20); i++) {
        t += random.nextInt(3); // Many equal timestamps, within and across logs.
        LogEntry post = author.post("p" + i, t);
        store.apply(post);
        posts.add(post);
      }
    }
    Set<Identity> followed = new java.util.HashSet<>();
    for (int a = 0; a < authors.size(); a += 2) {
      followed.add(authors.get(a).identity());
    }
    List<LogEntry> expected =
        posts.stream()
            .filter(p -> followed.contains(p.header().identity()))
            .sorted(
                java.util.Comparator.comparingLong((LogEntry p) -> p.header().timestampMillis())
                    .thenComparing(LogEntry::id)
                    .reversed())
            .toList();

    for (int pageSize : new int[] {1, 7, 50, 1000}) {
      List<LogEntry> paged = new java.util.ArrayList<>();
      TimelineCursor cursor = TimelineCursor.before(Long.MAX_VALUE);
      for (List<LogEntry> page = store.timeline(followed, cursor, pageSize);
          !page.isEmpty();
          page = store.timeline(followed, cursor, pageSize)) {
        assertThat(page.size()).isLessThanOrEqualTo(pageSize);
        paged.addAll(page);
        cursor = TimelineCursor.after(page.get(page.size() - 1));
      }
      assertThat(paged)
          .as("pages of " + pageSize)
          .extracting(LogEntry::id)
          .containsExactlyElementsOf(expected.stream().map(LogEntry::id).toList());
    }
  }

  @Test
  void apply_unknownKind_keepsOpaqueContent() {
    Author alice = new Author("alice").delegatedIn(store);
    byte[] opaque = {1, 2, 3};
    LogEntry entry = alice.device.appendOpaque(42, opaque, T0_MILLIS);
    store.apply(entry);

    LogEntry read = store.logEntry(alice.deviceKey.publicKey(), 1).orElseThrow();
    assertThat(read.contentBytes()).hasValue(opaque);
    assertThat(read.content()).isEmpty();
    assertThat(read.header().kindNumber()).isEqualTo(42);
  }

  @Test
  void deviceStatus_afterDelegationAndRevocation_followsRootLog() {
    Author alice = new Author("alice");
    var phone = alice.person.deviceKey("phone");
    assertThat(store.deviceStatus(alice.identity(), alice.deviceKey.publicKey()))
        .isEqualTo(DeviceStatus.UNKNOWN);

    store.apply(alice.delegation);
    store.apply(alice.person.delegate(phone, T0_MILLIS));
    assertThat(store.deviceStatus(alice.identity(), alice.deviceKey.publicKey()))
        .isEqualTo(DeviceStatus.ACTIVE);

    store.apply(alice.person.revoke(phone, 7, T0_MILLIS));
    store.apply(
        alice.person.revoke(phone, 9, T0_MILLIS)); // A later revocation can only lower the bound.
    store.apply(alice.person.delegate(phone, T0_MILLIS)); // Revocation is final.
    assertThat(store.deviceStatus(alice.identity(), phone.publicKey()))
        .isEqualTo(DeviceStatus.revoked(7));
    assertThat(store.deviceStatus(alice.identity(), alice.deviceKey.publicKey()))
        .isEqualTo(DeviceStatus.ACTIVE);
    assertThat(store.deviceStatus(new Author("bob").identity(), phone.publicKey()))
        .isEqualTo(DeviceStatus.UNKNOWN);
  }

  @Test
  void timeline_acrossIdentities_newestFirstAndPagesWithoutLossOrRepeat() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    Author carol = new Author("carol").delegatedIn(store);
    for (int i = 0; i < 10; i++) {
      // Several entries share a millisecond, across authors and within one log.
      store.apply(alice.post("a" + i, T0_MILLIS + i / 2));
      store.apply(bob.post("b" + i, T0_MILLIS + i / 3));
      store.apply(carol.post("c" + i, T0_MILLIS + i));
    }
    store.apply(
        bob.device.append(
            StoreTesting.reaction(
                "+", store.logEntry(alice.deviceKey.publicKey(), 1).orElseThrow()),
            T0_MILLIS + 100)); // Reactions are not timeline entries.

    List<LogEntry> all =
        store.timeline(Set.of(alice.identity(), bob.identity()), Long.MAX_VALUE, 100);
    assertThat(all).hasSize(20);
    for (int i = 1; i < all.size(); i++) {
      LogEntry newer = all.get(i - 1);
      LogEntry older = all.get(i);
      assertThat(newer.header().timestampMillis())
          .isGreaterThanOrEqualTo(older.header().timestampMillis());
      if (newer.header().timestampMillis() == older.header().timestampMillis()) {
        assertThat(newer.id()).isGreaterThan(older.id());
      }
    }

    List<LogEntry> paged = new java.util.ArrayList<>();
    TimelineCursor cursor = TimelineCursor.before(Long.MAX_VALUE);
    for (List<LogEntry> page = store.timeline(Set.of(alice.identity(), bob.identity()), cursor, 3);
        !page.isEmpty();
        page = store.timeline(Set.of(alice.identity(), bob.identity()), cursor, 3)) {
      assertThat(page.size()).isLessThanOrEqualTo(3);
      paged.addAll(page);
      cursor = TimelineCursor.after(page.get(page.size() - 1));
    }
    assertThat(paged)
        .extracting(LogEntry::id)
        .containsExactlyElementsOf(all.stream().map(LogEntry::id).toList());

    assertThat(store.timeline(Set.of(carol.identity()), T0_MILLIS + 5, 2))
        .extracting(e -> e.header().timestampMillis())
        .containsExactly(T0_MILLIS + 4, T0_MILLIS + 3);
    assertThat(store.timeline(Set.of(carol.identity()), T0_MILLIS, 10)).isEmpty();
  }

  @Test
  void repliesAndReactions_indexedByTarget() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry root = alice.post("root", T0_MILLIS);
    store.apply(root);
    LogEntry reply1 = bob.device.append(StoreTesting.reply("re 1", root), T0_MILLIS);
    LogEntry reply2 = alice.device.append(StoreTesting.reply("re 2", root), T0_MILLIS);
    LogEntry nested = bob.device.append(StoreTesting.reply("re re", reply2), T0_MILLIS);
    LogEntry like = bob.device.append(StoreTesting.reaction("+1", root), T0_MILLIS);
    LogEntry repost = bob.device.append(StoreTesting.repost(root), T0_MILLIS);
    for (LogEntry e : List.of(reply1, reply2, nested, like, repost)) {
      store.apply(e);
    }

    assertThat(store.replies(root.id()))
        .extracting(LogEntry::id)
        .containsExactlyElementsOf(List.of(reply1.id(), reply2.id()).stream().sorted().toList());
    assertThat(store.replies(reply2.id())).extracting(LogEntry::id).containsExactly(nested.id());
    assertThat(store.replies(like.id())).isEmpty();
    assertThat(store.reactions(root.id())).extracting(LogEntry::id).containsExactly(like.id());
    assertThat(store.timeline(Set.of(bob.identity()), Long.MAX_VALUE, 10))
        .extracting(LogEntry::id)
        .contains(repost.id(), reply1.id())
        .doesNotContain(like.id());
  }

  @Test
  void deleteContent_keepsSignedEntryWithoutContentAndDropsItsIndexRows() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry root = alice.post("root", T0_MILLIS);
    store.apply(root);
    LogEntry reply = bob.device.append(StoreTesting.reply("regret this", root), T0_MILLIS);
    store.apply(reply);
    long bytesBefore = store.storedBytes(bob.identity());

    assertThat(store.deleteContent(reply.id())).isTrue();

    LogEntry kept = store.entryById(reply.id()).orElseThrow();
    assertThat(kept.signed()).isEqualTo(reply.signed());
    assertThat(kept.hasContent()).isFalse();
    assertThat(kept.content()).isEmpty();
    assertThat(store.contiguousHead(bob.deviceKey.publicKey())).isEqualTo(1);
    assertThat(store.replies(root.id())).isEmpty();
    assertThat(store.storedBytes(bob.identity()))
        .isEqualTo(bytesBefore - reply.header().contentSize());
    assertThat(store.deleteContent(reply.id())).isFalse();
    assertThatThrownBy(() -> store.deleteContent(bob.delegation.id()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteContent_equalContentOfAnotherEntry_isKept() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry a = alice.post("same words", T0_MILLIS);
    LogEntry b = bob.post("same words", T0_MILLIS);
    store.apply(a);
    store.apply(b);
    assertThat(a.header().contentHash()).isEqualTo(b.header().contentHash());

    store.deleteContent(a.id());

    assertThat(store.entryById(b.id()).orElseThrow().hasContent()).isTrue();
  }

  @Test
  void apply_entryWithoutContent_isMissingNotDeleted_fillContentStoresItWithItsRows() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry root = alice.post("root", T0_MILLIS);
    store.apply(root);
    LogEntry reply = bob.device.append(StoreTesting.reply("hi", root), T0_MILLIS + 1);
    long bytesBefore = store.storedBytes(bob.identity());

    store.apply(reply.withoutContent());

    assertThat(store.contentMissing(reply)).isTrue();
    assertThat(store.contentMissing(root)).isFalse();
    assertThat(store.missingContent(bob.identity(), 10))
        .containsExactly(
            new MissingContent(
                bob.identity(),
                reply.id(),
                bob.deviceKey.publicKey(),
                1,
                reply.header().contentHash(),
                reply.header().contentSize()));
    assertThat(store.missingContent(bob.identity(), reply.header().contentHash())).hasSize(1);
    assertThat(store.missingContent(alice.identity(), 10)).isEmpty();
    assertThat(store.replies(root.id())).isEmpty();

    assertThat(store.fillContent(reply)).isTrue();

    assertThat(store.logEntry(bob.deviceKey.publicKey(), 1).orElseThrow().content())
        .isEqualTo(reply.content());
    assertThat(store.contentMissing(reply)).isFalse();
    assertThat(store.missingContent(bob.identity(), 10)).isEmpty();
    assertThat(store.replies(root.id())).extracting(LogEntry::id).containsExactly(reply.id());
    assertThat(store.storedBytes(bob.identity()))
        .isEqualTo(bytesBefore + reply.header().contentSize());
    assertThat(store.fillContent(reply)).as("held with content now").isFalse();
    assertThat(store.fillContent(root)).as("never missing").isFalse();
  }

  @Test
  void apply_deleteOfEntryWithMissingContent_makesItDeleted_fillRefused() {
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry post = bob.post("later regretted", T0_MILLIS);
    store.apply(post.withoutContent());
    LogEntry delete = bob.device.append(StoreTesting.delete(post), T0_MILLIS + 1);

    store.apply(delete);

    assertThat(store.contentMissing(post)).isFalse();
    assertThat(store.missingContent(bob.identity(), 10)).isEmpty();
    assertThat(store.fillContent(post)).isFalse();
    assertThat(store.entryById(post.id()).orElseThrow().hasContent()).isFalse();
  }

  @Test
  void rebuildIndexes_keepsMissingAndDeletedApart() {
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry missing = bob.post("not here yet", T0_MILLIS);
    LogEntry gone = bob.post("deleted", T0_MILLIS + 1);
    store.apply(missing.withoutContent());
    store.apply(gone.withoutContent());
    store.apply(bob.device.append(StoreTesting.delete(gone), T0_MILLIS + 2));

    store.rebuildIndexes();

    assertThat(store.missingContent(bob.identity(), 10))
        .extracting(MissingContent::id)
        .containsExactly(missing.id());
    assertThat(store.contentMissing(gone)).isFalse();
  }

  @Test
  void recordFork_keepsBothEntriesAsEvidence() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry held = alice.post("one", T0_MILLIS);
    store.apply(held);
    LogWriter other = new LogWriter(alice.identity(), alice.deviceKey, LogHead.EMPTY);
    LogEntry incoming = other.append(TestAuthors.post("one, differently"), T0_MILLIS);

    assertThat(store.forks(alice.identity())).isEmpty();
    assertThat(store.forkedIdentities()).isEmpty();
    store.recordFork(held.signed(), incoming.signed());
    store.recordFork(held.signed(), incoming.signed()); // The same evidence twice: one row.

    assertThat(store.forkedIdentities()).containsExactly(alice.identity());

    assertThat(store.forks(alice.identity()))
        .containsExactly(new ForkEvidence(held.signed(), incoming.signed()));
    assertThat(store.forks(new Author("bob").identity())).isEmpty();
    assertThat(store.entry(alice.deviceKey.publicKey(), 1))
        .contains(held.signed()); // Never overwritten.
  }

  @Test
  void apply_notTheNextSeq_throwsAndChangesNothing() {
    Author alice = new Author("alice").delegatedIn(store);
    alice.post("one", T0_MILLIS);
    LogEntry second = alice.post("two", T0_MILLIS);

    assertThatThrownBy(() -> store.apply(second))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("head is 0");

    assertThat(store.contiguousHead(alice.deviceKey.publicKey())).isZero();
    assertThat(store.entryById(second.id())).isEmpty();
    assertThat(store.storedBytes(alice.identity()))
        .isEqualTo(alice.delegation.header().contentSize());
  }

  @Test
  void apply_prevNotTheHeldHead_throwsAndChangesNothing() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry first = alice.post("one", T0_MILLIS);
    store.apply(first);
    LogWriter other = new LogWriter(alice.identity(), alice.deviceKey, LogHead.EMPTY);
    other.append(TestAuthors.post("one, differently"), T0_MILLIS);
    LogEntry otherSecond = other.append(TestAuthors.post("two"), T0_MILLIS);

    assertThatThrownBy(() -> store.apply(otherSecond))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prev");

    assertThat(store.contiguousHead(alice.deviceKey.publicKey())).isEqualTo(1);
    assertThat(store.entryById(otherSecond.id())).isEmpty();
    assertThat(store.timeline(Set.of(alice.identity()), Long.MAX_VALUE, 10))
        .extracting(LogEntry::id)
        .containsExactly(first.id());
  }

  @Test
  void localState_followsMutesPeersMetadata_roundTrip() {
    var alice = new Author("alice").identity();
    var bob = new Author("bob").identity();
    store.follow(alice);
    store.follow(bob);
    store.unfollow(bob);
    store.mute(bob);
    assertThat(store.putPeer("12D3KooWpeer", "/ip4/127.0.0.1/tcp/4001")).isTrue();
    byte[] name = "laptop".getBytes(StandardCharsets.UTF_8);
    store.putMetadata("node.name", name);
    name[0] = 'X'; // The store keeps its own copy.

    assertThat(store.follows()).containsExactly(alice);
    assertThat(store.mutes()).containsExactly(bob);
    assertThat(store.isMuted(bob)).isTrue();
    assertThat(store.isMuted(alice)).isFalse();
    assertThat(store.peers()).containsExactly(Map.entry("12D3KooWpeer", "/ip4/127.0.0.1/tcp/4001"));
    assertThat(store.metadata("node.name"))
        .hasValueSatisfying(
            v -> assertThat(v).isEqualTo("laptop".getBytes(StandardCharsets.UTF_8)));
    assertThat(store.metadata("other")).isEmpty();
    store.unmute(bob);
    assertThat(store.mutes()).isEmpty();
  }

  @Test
  void blocks_roundTrip_apartFromMutesAndFollows() {
    var alice = new Author("alice").identity();
    var bob = new Author("bob").identity();
    store.follow(alice);
    store.mute(alice);
    store.block(bob);
    store.block(bob); // Twice is once.

    assertThat(store.blocks()).containsExactly(bob);
    assertThat(store.isBlocked(bob)).isTrue();
    assertThat(store.isBlocked(alice)).isFalse();
    assertThat(store.isMuted(bob)).isFalse();
    assertThat(store.mutes()).containsExactly(alice);
    assertThat(store.follows()).containsExactly(alice);

    store.unblock(bob);
    assertThat(store.blocks()).isEmpty();
    assertThat(store.isBlocked(bob)).isFalse();
  }

  @Test
  void putPeer_tableFull_refusesNewPeersButUpdatesKnownOnes() {
    try (PostStore small = openStore(2)) {
      assertThat(small.putPeer("a", "1")).isTrue();
      assertThat(small.putPeer("b", "2")).isTrue();
      assertThat(small.putPeer("c", "3")).isFalse();
      assertThat(small.putPeer("a", "1b")).isTrue();
      small.removePeer("b");
      assertThat(small.putPeer("c", "3")).isTrue();
      assertThat(small.peers()).containsExactly(Map.entry("a", "1b"), Map.entry("c", "3"));
    }
  }

  @Test
  void rebuildIndexes_afterWritesAndDeletes_answersAsBefore() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry root = alice.post("root", T0_MILLIS);
    store.apply(root);
    LogEntry reply = bob.device.append(StoreTesting.reply("re", root), T0_MILLIS + 1);
    LogEntry gone = bob.device.append(StoreTesting.reply("gone", root), T0_MILLIS + 2);
    LogEntry like = bob.device.append(StoreTesting.reaction("+", root), T0_MILLIS + 3);
    store.apply(reply);
    store.apply(gone);
    store.apply(like);
    store.deleteContent(gone.id());
    Set<org.grapevine.protocol.identity.Identity> both = Set.of(alice.identity(), bob.identity());
    List<EntryIdAndContent> timeline =
        EntryIdAndContent.of(store.timeline(both, Long.MAX_VALUE, 10));
    long bytes = store.storedBytes(bob.identity());

    store.rebuildIndexes();

    assertThat(EntryIdAndContent.of(store.timeline(both, Long.MAX_VALUE, 10))).isEqualTo(timeline);
    assertThat(store.replies(root.id())).extracting(LogEntry::id).containsExactly(reply.id());
    assertThat(store.reactions(root.id())).extracting(LogEntry::id).containsExactly(like.id());
    assertThat(store.storedBytes(bob.identity())).isEqualTo(bytes);
    assertThat(store.deviceStatus(bob.identity(), bob.deviceKey.publicKey()))
        .isEqualTo(DeviceStatus.ACTIVE);
    assertThat(store.entryById(gone.id()).orElseThrow().hasContent()).isFalse();
  }

  @Test
  void apply_targetAfterItsDelete_storedWithoutContent_deletedNotMissing() {
    Author alice = new Author("alice").delegatedIn(store);
    org.grapevine.protocol.crypto.SigningKey phoneKey = alice.person.deviceKey("phone");
    LogWriter phone = alice.person.deviceLog(phoneKey);
    LogEntry phoneDelegation = alice.person.delegate(phoneKey, T0_MILLIS);
    store.apply(phoneDelegation);
    LogEntry root = new Author("bob").post("root", T0_MILLIS);
    LogEntry target = alice.device.append(StoreTesting.reply("regretted", root), T0_MILLIS + 1);
    LogEntry delete = phone.append(StoreTesting.delete(target), T0_MILLIS + 2);
    store.apply(delete); // From the phone's log, before the laptop's (sync from two devices).

    Applied applied = store.apply(target);

    assertThat(applied).isEqualTo(new Applied(true, 0));
    LogEntry held = store.entryById(target.id()).orElseThrow();
    assertThat(held.signed()).isEqualTo(target.signed());
    assertThat(held.hasContent()).isFalse();
    assertThat(store.deleted(target)).isTrue();
    assertThat(store.contentMissing(target)).isFalse();
    assertThat(store.missingContent(alice.identity(), 10)).isEmpty();
    assertThat(store.replies(root.id())).isEmpty();
    assertThat(store.storedBytes(alice.identity()))
        .isEqualTo(
            alice.delegation.header().contentSize()
                + phoneDelegation.header().contentSize()
                + delete.header().contentSize());
    assertThat(store.fillContent(target)).isFalse();
    assertThat(store.contentByHash(target.header().contentHash())).isEmpty();
  }

  @Test
  void apply_targetAfterADeleteByAnotherIdentity_keepsItsContent() {
    Author alice = new Author("alice").delegatedIn(store);
    Author mallory = new Author("mallory").delegatedIn(store);
    LogEntry target = alice.post("mine", T0_MILLIS);
    store.apply(mallory.device.append(StoreTesting.delete(target), T0_MILLIS + 1));

    assertThat(store.apply(target)).isEqualTo(Applied.PLAIN);

    assertThat(store.entryById(target.id()).orElseThrow().hasContent()).isTrue();
    assertThat(store.deleted(target)).isFalse();
  }

  @Test
  void apply_deleteOfADelete_leavesItsContent_andItsTargetStaysDeleted() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry post = alice.post("gone", T0_MILLIS);
    store.apply(post);
    LogEntry delete = alice.device.append(StoreTesting.delete(post), T0_MILLIS + 1);
    store.apply(delete);

    store.apply(alice.device.append(StoreTesting.delete(delete), T0_MILLIS + 2));

    assertThat(store.entryById(delete.id()).orElseThrow().hasContent()).isTrue();
    assertThat(store.deleted(delete)).isFalse();
    assertThat(store.deleted(post)).isTrue();
    store.rebuildIndexes();
    assertThat(store.deleted(post)).isTrue();
    assertThat(store.missingContent(alice.identity(), 10)).isEmpty();
  }

  @Test
  void apply_revocation_removesTheDevicesLaterEntriesAndEveryRowOfThem() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    LogEntry bobs = bob.post("bob's", T0_MILLIS);
    store.apply(bobs);
    LogEntry kept = alice.post("before the theft", T0_MILLIS + 1);
    store.apply(kept);
    long bytesBefore = store.storedBytes(alice.identity());
    LogEntry reply = alice.device.append(StoreTesting.reply("stolen reply", bobs), T0_MILLIS + 2);
    LogEntry like = alice.device.append(StoreTesting.reaction("+", bobs), T0_MILLIS + 3);
    LogEntry bare = alice.post("stolen, held bare", T0_MILLIS + 4);
    store.apply(reply);
    store.apply(like);
    store.apply(bare.withoutContent());
    LogEntry revoke = alice.person.revoke(alice.deviceKey, 1, T0_MILLIS + 5);

    Applied applied = store.apply(revoke);

    assertThat(applied).isEqualTo(new Applied(false, 3));
    org.grapevine.protocol.identity.AuthorKey device = alice.deviceKey.publicKey();
    assertThat(store.contiguousHead(device)).isEqualTo(1);
    assertThat(store.entry(device, 2)).isEmpty();
    assertThat(store.logEntry(device, 1).orElseThrow().id()).isEqualTo(kept.id());
    for (LogEntry gone : List.of(reply, like, bare)) {
      assertThat(store.entryById(gone.id())).as("%s", gone.id()).isEmpty();
    }
    assertThat(store.replies(bobs.id())).isEmpty();
    assertThat(store.reactions(bobs.id())).isEmpty();
    assertThat(store.missingContent(alice.identity(), 10)).isEmpty();
    assertThat(store.timeline(Set.of(alice.identity()), Long.MAX_VALUE, 10))
        .extracting(LogEntry::id)
        .containsExactly(kept.id());
    assertThat(store.storedBytes(alice.identity()))
        .isEqualTo(bytesBefore + revoke.header().contentSize());
    assertThat(store.contentByHash(reply.header().contentHash())).isEmpty();
    assertThat(store.deviceStatus(alice.identity(), device)).isEqualTo(DeviceStatus.revoked(1));
  }

  @Test
  void apply_revocationOfADeleteTheDeviceWrote_targetIsMissingAgain_orStaysDeletedByAnother() {
    Author alice = new Author("alice").delegatedIn(store);
    org.grapevine.protocol.crypto.SigningKey phoneKey = alice.person.deviceKey("phone");
    LogWriter phone = alice.person.deviceLog(phoneKey);
    store.apply(alice.person.delegate(phoneKey, T0_MILLIS));
    LogEntry post = phone.append(TestAuthors.post("mine"), T0_MILLIS + 1);
    LogEntry twice = phone.append(TestAuthors.post("deleted twice"), T0_MILLIS + 2);
    store.apply(post);
    store.apply(twice);
    store.apply(phone.append(StoreTesting.delete(twice), T0_MILLIS + 3)); // Valid: phone seq 3.
    // The stolen laptop deletes both.
    store.apply(alice.device.append(StoreTesting.delete(post), T0_MILLIS + 4));
    store.apply(alice.device.append(StoreTesting.delete(twice), T0_MILLIS + 5));
    assertThat(store.deleted(post)).isTrue();

    assertThat(store.apply(alice.person.revoke(alice.deviceKey, 0, T0_MILLIS + 6)))
        .isEqualTo(new Applied(false, 2));

    assertThat(store.contiguousHead(alice.deviceKey.publicKey())).isZero();
    assertThat(store.deleted(post)).isFalse();
    assertThat(store.contentMissing(post)).as("its content comes back by fetch").isTrue();
    assertThat(store.missingContent(alice.identity(), 10))
        .extracting(MissingContent::id)
        .containsExactly(post.id());
    assertThat(store.deleted(twice)).as("the phone's own delete still holds").isTrue();
    assertThat(store.fillContent(post)).isTrue();
  }

  /** What a timeline shows of an entry: its id and whether it still has content. */
  record EntryIdAndContent(org.grapevine.protocol.entry.EntryId id, boolean hasContent) {
    static List<EntryIdAndContent> of(List<LogEntry> entries) {
      return entries.stream().map(e -> new EntryIdAndContent(e.id(), e.hasContent())).toList();
    }
  }
}
