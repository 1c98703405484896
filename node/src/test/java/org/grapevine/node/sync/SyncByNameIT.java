package org.grapevine.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.testing.SyncNode;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync by name (issue 13) between two real nodes' sync halves (host, node core, engine, RocksDB)
 * over TCP on 127.0.0.1: C follows X and dials D, which holds X's log but no longer follows X (it
 * unfollowed; the store keeps the logs). Before sync by name, only identities both follow were
 * synced and C got nothing from D.
 */
@Timeout(120)
class SyncByNameIT {
  private static final long NOW = T0_MILLIS + 3_600_000;
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final TestAuthors.Person x = TestAuthors.person("x");
  private final SigningKey phone = x.deviceKey("phone");

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  @Test
  void followerDialsAPeerThatHoldsXButUnfollowedX_getsXsHistoryWithContent() throws Exception {
    List<LogEntry> history = new ArrayList<>(List.of(x.delegate(phone, T0_MILLIS)));
    LogWriter log = x.deviceLog(phone);
    for (int i = 1; i <= 300; i++) { // More than one batch.
      history.add(log.append(post("x's post " + i), T0_MILLIS + i));
    }
    SyncNode d = new SyncNode(dir.resolve("d"), Budgets.UNLIMITED, group, closing, NOW);
    d.store.follow(x.identity);
    d.holds(history);
    d.store.unfollow(x.identity);
    assertThat(d.store.follows()).isEmpty();
    assertThat(d.store.contiguousHead(phone.publicKey())).isEqualTo(300);

    SyncNode c = new SyncNode(dir.resolve("c"), Budgets.UNLIMITED, group, closing, NOW);
    c.store.follow(x.identity);
    c.dial(d);

    c.awaitHead(phone, 300);
    assertThat(c.store.contiguousHead(x.identity.root())).isEqualTo(1);
    for (LogEntry e : history) {
      LogEntry held = c.store.entryById(e.id()).orElseThrow();
      assertThat(held.hasContent()).as("content of %s", e.id()).isTrue();
    }
    assertThat(c.engine.rejects()).isEmpty();
  }
}
