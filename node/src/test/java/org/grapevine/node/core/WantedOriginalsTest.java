package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.util.List;
import org.grapevine.node.storage.MemoryPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.sync.EntryRef;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.Test;

/** Which originals a node wants by reference, and for how long. */
class WantedOriginalsTest {
  private final MemoryPostStore store = new MemoryPostStore();
  private final WantedOriginals wanted = new WantedOriginals(store);

  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final LogWriter aliceLog = alice.deviceLog(alice.deviceKey("phone"));
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final SigningKey bobPhone = bob.deviceKey("phone");
  private final LogWriter bobLog = bob.deviceLog(bobPhone);
  private long t = T0_MILLIS;

  private LogEntry alicePost() {
    return aliceLog.append(TestAuthors.post("alice"), ++t);
  }

  private static EntryRef ref(LogEntry e) {
    return new EntryRef(e.header().identity(), e.id());
  }

  @Test
  void repostAndQuoteOfAnUnheldPost_wantedOnce_forgottenWhenStored() {
    LogEntry hello = alicePost();
    LogEntry repost = bobLog.append(TestContent.repost(hello), ++t);
    LogEntry quote = bobLog.append(TestContent.quote("look", hello), ++t);
    LogEntry plain = bobLog.append(TestAuthors.post("plain"), ++t);

    assertThat(wanted.stored(List.of(repost, plain), true)).containsExactly(ref(hello));
    assertThat(wanted.stored(List.of(quote), true)).as("wanted already").isEmpty();
    assertThat(wanted.list(10)).containsExactly(ref(hello));

    wanted.stored(List.of(hello), false);
    assertThat(wanted.list(10)).isEmpty();
    assertThat(wanted.size()).isZero();
  }

  @Test
  void heldOriginal_notWanted_andOneHeldMeanwhileIsForgotten() {
    LogEntry held = alicePost();
    store.apply(alice.delegate(alice.deviceKey("phone"), T0_MILLIS));
    store.apply(held);
    assertThat(wanted.stored(List.of(bobLog.append(TestContent.repost(held), ++t)), true))
        .isEmpty();

    LogEntry later = alicePost();
    wanted.stored(List.of(bobLog.append(TestContent.repost(later), ++t)), true);
    store.apply(later); // Came by a follow, not by reference.
    assertThat(wanted.list(10)).isEmpty();
    assertThat(wanted.size()).isZero();
  }

  @Test
  void notRecorded_whenTheStoredEntryCameByReference() {
    LogEntry hello = alicePost();
    assertThat(wanted.stored(List.of(bobLog.append(TestContent.repost(hello), ++t)), false))
        .isEmpty();
  }

  @Test
  void full_dropsTheOldestAndCountsIt() {
    LogEntry first = alicePost();
    wanted.stored(List.of(bobLog.append(TestContent.repost(first), ++t)), true);
    for (int i = 1; i < WantedOriginals.MAX_WANTED; i++) {
      wanted.stored(List.of(bobLog.append(TestContent.repost(alicePost()), ++t)), true);
    }
    assertThat(wanted.dropped()).isZero();
    wanted.stored(List.of(bobLog.append(TestContent.repost(alicePost()), ++t)), true);
    assertThat(wanted.size()).isEqualTo(WantedOriginals.MAX_WANTED);
    assertThat(wanted.dropped()).isEqualTo(1);
    assertThat(wanted.list(WantedOriginals.MAX_WANTED)).doesNotContain(ref(first));
  }

  @Test
  void originalsOfBlockedOrMutedIdentities_notListed() {
    LogEntry hello = alicePost();
    wanted.stored(List.of(bobLog.append(TestContent.repost(hello), ++t)), true);
    store.mute(alice.identity);
    assertThat(wanted.list(10)).isEmpty();
    store.unmute(alice.identity);
    assertThat(wanted.list(10)).containsExactly(ref(hello));
  }
}
