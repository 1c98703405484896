package org.grapevine.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.util.List;
import java.util.Set;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.storage.MemoryPostStore;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.sync.ContentRef;
import org.grapevine.protocol.sync.EntryRef;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

/** What a sync session asks a peer for and serves it, by content hash. */
class StoreSyncSourceTest {
  private final MemoryPostStore store = new MemoryPostStore();
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final SigningKey phone = bob.deviceKey("phone");
  private final LogWriter log = bob.deviceLog(phone);
  private final LogEntry delegation = bob.delegate(phone, T0_MILLIS);
  private final LogEntry one = log.append(post("one"), T0_MILLIS + 1);
  private final LogEntry two = log.append(post("two"), T0_MILLIS + 2);
  private final LogEntry three = log.append(post("three"), T0_MILLIS + 3);

  StoreSyncSourceTest() {
    store.apply(delegation);
    store.apply(one);
    store.apply(two.withoutContent());
    store.apply(three.withoutContent());
  }

  private static ContentRef ref(LogEntry e) {
    return new ContentRef(e.header().identity(), e.header().contentHash());
  }

  @Test
  void missingContent_leavesOutWhatThisPeerServedBare() {
    StoreSyncSource source =
        new StoreSyncSource(
            store, Budgets.UNLIMITED, hash -> !hash.equals(two.header().contentHash()));
    assertThat(source.missingContent(Set.of(bob.identity), 10)).containsExactly(ref(three));
  }

  @Test
  void missingContent_ofAMutedIdentity_notAskedFor() {
    StoreSyncSource source = new StoreSyncSource(store);
    assertThat(source.missingContent(Set.of(bob.identity), 10)).hasSize(2);
    store.mute(bob.identity); // Its entries are ignored: their content would be too.
    assertThat(source.missingContent(Set.of(bob.identity), 10)).isEmpty();
  }

  @Test
  void missingContent_onlyWhileTheQuotaHasRoom() {
    long used = store.storedBytes(bob.identity);
    long room = Math.max(two.header().contentSize(), three.header().contentSize());
    StoreSyncSource source =
        new StoreSyncSource(store, new Budgets(used + room, 1 << 20), hash -> true);
    assertThat(source.missingContent(Set.of(bob.identity), 10)).hasSize(1);
    assertThat(
            new StoreSyncSource(store, new Budgets(used, 1 << 20), hash -> true)
                .missingContent(Set.of(bob.identity), 10))
        .isEmpty();
  }

  @Test
  void content_servesHeldContentByHash_notMissingContent() {
    StoreSyncSource source = new StoreSyncSource(store);
    assertThat(source.content(bob.identity, one.header().contentHash()))
        .contains(one.contentBytes().orElseThrow());
    assertThat(source.content(bob.identity, two.header().contentHash())).isEmpty();
    assertThat(source.missingContent(List.of(TestAuthors.person("carol").identity), 10)).isEmpty();
  }

  @Test
  void entryByRef_heldWithContent_servedWithItsDelegation_elseNot() {
    StoreSyncSource source = new StoreSyncSource(store);
    byte[] item = source.entryByRef(new EntryRef(bob.identity, one.id())).orElseThrow();
    assertThat(item).isEqualTo(AddressedCodec.encode(one, delegation));
    // Held without content (missing or deleted): not served.
    assertThat(source.entryByRef(new EntryRef(bob.identity, two.id()))).isEmpty();
    // Not held, or named with another identity than its own.
    LogEntry four = log.append(post("four"), T0_MILLIS + 4);
    assertThat(source.entryByRef(new EntryRef(bob.identity, four.id()))).isEmpty();
    assertThat(source.entryByRef(new EntryRef(TestAuthors.person("eve").identity, one.id())))
        .isEmpty();
    // A root-log entry is never served (it has no delegation of its own).
    assertThat(source.entryByRef(new EntryRef(bob.identity, delegation.id()))).isEmpty();
  }

  @Test
  void entryByRef_looseWithoutTheWritersRootLog_notServed() {
    TestAuthors.Person carol = TestAuthors.person("carol");
    SigningKey carolPhone = carol.deviceKey("phone");
    LogEntry loose = carol.deviceLog(carolPhone).append(post("hi"), T0_MILLIS + 1);
    assertThat(store.applyLoose(loose)).isTrue();
    assertThat(new StoreSyncSource(store).entryByRef(new EntryRef(carol.identity, loose.id())))
        .as("its proof was not kept")
        .isEmpty();
    store.apply(carol.delegate(carolPhone, T0_MILLIS));
    assertThat(new StoreSyncSource(store).entryByRef(new EntryRef(carol.identity, loose.id())))
        .isPresent();
  }
}
