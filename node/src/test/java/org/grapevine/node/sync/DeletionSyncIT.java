package org.grapevine.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.engine.ContentState;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.StoreDumps;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.node.testing.SyncNode;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, cases 3 and 4, between real nodes' sync halves (host, node core, engine, RocksDB) over
 * TCP on 127.0.0.1: a delete that arrives before its target (each from another device of the same
 * identity, by sync from two peers), and a stolen device's posts removed when the revocation
 * arrives. After each, the follower's derived rows equal an index rebuild.
 */
@Timeout(120)
class DeletionSyncIT {
  private static final long NOW = T0_MILLIS + 3_600_000;
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final SigningKey phone = alice.deviceKey("phone");
  private final LogWriter laptopLog = alice.deviceLog(laptop);
  private final LogWriter phoneLog = alice.deviceLog(phone);
  private final LogEntry laptopDelegation = alice.delegate(laptop, T0_MILLIS);
  private final LogEntry phoneDelegation = alice.delegate(phone, T0_MILLIS);

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** A node following alice, holding {@code entries}. */
  private SyncNode node(String name, List<LogEntry> entries) throws Exception {
    SyncNode n = new SyncNode(dir.resolve(name), Budgets.UNLIMITED, group, closing, NOW);
    n.store.follow(alice.identity);
    n.holds(entries);
    return n;
  }

  private static Content delete(LogEntry target) {
    return Content.newBuilder()
        .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
        .build();
  }

  private static void assertDerivedRowsEqualARebuild(SyncNode n) {
    List<String> live = StoreDumps.derived(n.store);
    n.store.rebuildIndexes();
    assertThat(StoreDumps.derived(n.store)).containsExactlyElementsOf(live);
  }

  @Test
  void deleteBeforeItsTarget_syncedFromTwoDevicesPeers_targetStoredWithoutContent()
      throws Exception {
    LogEntry target = laptopLog.append(post("regretted"), T0_MILLIS + 1);
    LogEntry del = phoneLog.append(delete(target), T0_MILLIS + 2);
    SyncNode phonePeer = node("phone", List.of(laptopDelegation, phoneDelegation, del));
    SyncNode laptopPeer = node("laptop", List.of(laptopDelegation, phoneDelegation, target));
    SyncNode follower = node("follower", List.of());

    follower.dial(phonePeer);
    follower.awaitHead(phone, 1);
    follower.dial(laptopPeer);
    follower.awaitHead(laptop, 1);

    LogEntry held = follower.store.entryById(target.id()).orElseThrow();
    assertThat(held.hasContent()).isFalse();
    assertThat(follower.engine.contentState(held)).isEqualTo(ContentState.DELETED);
    assertThat(follower.store.missingContent(alice.identity, 10)).isEmpty();
    assertThat(follower.engine.counts()).containsEntry(Engine.Counter.CONTENT_DROPPED_DELETED, 1L);
    // The laptop's peer learns the delete from the follower, after the target: the usual delete.
    BarePeer.await(
        "the laptop's peer applies the delete",
        () -> !laptopPeer.store.entryById(target.id()).orElseThrow().hasContent());
    Thread.sleep(300); // Nothing fetches the deleted content back.
    assertThat(follower.store.entryById(target.id()).orElseThrow().hasContent()).isFalse();
    assertThat(follower.engine.rejects()).isEmpty();
    assertDerivedRowsEqualARebuild(follower);
    assertDerivedRowsEqualARebuild(laptopPeer);
  }

  @Test
  void stolenDevice_postsAfterLastValidSeqRemovedWhenTheRevocationArrives() throws Exception {
    LogEntry mine = laptopLog.append(post("mine"), T0_MILLIS + 1);
    List<LogEntry> phones = new ArrayList<>();
    phones.add(phoneLog.append(post("phone 1"), T0_MILLIS + 1));
    phones.add(phoneLog.append(post("phone 2"), T0_MILLIS + 2));
    // The thief's: two posts and a delete of the laptop's post.
    List<LogEntry> stolen =
        List.of(
            phoneLog.append(post("stolen 1"), T0_MILLIS + 3),
            phoneLog.append(post("stolen 2"), T0_MILLIS + 4),
            phoneLog.append(delete(mine), T0_MILLIS + 5));
    LogEntry revocation = alice.revoke(phone, 2, T0_MILLIS + 6);
    List<LogEntry> before = new ArrayList<>(List.of(laptopDelegation, phoneDelegation, mine));
    before.addAll(phones);
    SyncNode follower = node("follower", before);
    follower.holds(stolen);
    assertThat(follower.store.entryById(mine.id()).orElseThrow().hasContent()).isFalse();
    List<LogEntry> home = new ArrayList<>(before);
    home.add(revocation);
    SyncNode alicesNode = node("home", home);

    follower.dial(alicesNode);
    follower.awaitHead(alice.root, 3);

    assertThat(follower.store.contiguousHead(phone.publicKey())).isEqualTo(2);
    for (LogEntry e : stolen) {
      assertThat(follower.store.entryById(e.id())).as("%s", e.id()).isEmpty();
    }
    assertThat(follower.store.entryById(phones.get(1).id())).isPresent();
    assertThat(follower.engine.counts()).containsEntry(Engine.Counter.PURGED_REVOKED, 3L);
    assertThat(follower.store.timeline(java.util.Set.of(alice.identity), Long.MAX_VALUE, 10))
        .extracting(LogEntry::id)
        .containsExactlyInAnyOrder(mine.id(), phones.get(0).id(), phones.get(1).id());
    // The laptop's post, deleted only by the thief, is no longer deleted: its content is missing,
    // and the next peer that holds it serves it by hash.
    assertThat(follower.engine.contentState(follower.store.entryById(mine.id()).orElseThrow()))
        .isEqualTo(ContentState.MISSING_NOT_FETCHED);
    SyncNode full = node("full", List.of(laptopDelegation, phoneDelegation, mine, revocation));
    follower.dial(full);
    BarePeer.await(
        "the laptop's post is held with its content again",
        () -> follower.store.entryById(mine.id()).orElseThrow().hasContent());
    assertThat(follower.engine.contentState(follower.store.entryById(mine.id()).orElseThrow()))
        .isEqualTo(ContentState.HELD);
    assertThat(alicesNode.store.contiguousHead(phone.publicKey())).isEqualTo(2);
    assertDerivedRowsEqualARebuild(follower);
  }
}
