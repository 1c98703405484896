package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.DeviceStatus;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second device of one identity, on real nodes over 127.0.0.1 with real stores: a node that
 * joined the identity ({@code keys/identity}) never starts a root log of its own; it waits for the
 * root log from a peer, refuses to write until then, and writes once it is delegated; a revoked
 * device's later entries are refused by the peer that holds the revocation.
 */
@Timeout(120)
class DeviceDelegationIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final SigningKey phone = alice.deviceKey("phone");
  private Node a;
  private Node b;

  @AfterEach
  void close() {
    for (Node n : new Node[] {a, b}) {
      if (n != null) {
        n.close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, SigningKey root, SigningKey device) throws Exception {
    return NodeLauncher.of(
            NodeConfig.loopback().withSync(new NodeConfig.Sync(Duration.ofSeconds(1))),
            dir.resolve(name),
            new DataDir.Keys(alice.identity, root, device, PrivKey.generate(new SecureRandom())),
            group)
        .start();
  }

  /** What `device import` / `identity import` leave: the identity file, and no root log. */
  private void joined(String name) throws Exception {
    Path file = new DataDir(dir.resolve(name)).identityFile();
    Files.createDirectories(file.getParent());
    Files.writeString(file, alice.identity + "\n");
  }

  /**
   * Writes root-log entries into a data directory's store, as `device add` / `revoke` do offline.
   */
  private void seedRootLog(String name, List<LogEntry> entries) {
    try (RocksPostStore store = RocksPostStore.open(dir.resolve(name).resolve("store"))) {
      Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 16, 64);
      for (LogEntry e : entries) {
        assertThat(engine.ingest(e, IngestSource.OWN, System.currentTimeMillis()))
            .isInstanceOf(IngestOutcome.Stored.class);
      }
    }
  }

  private void connect(Node from, Node to) throws Exception {
    from.connect(to.host().listenAddrs().get(0).withPeerId(to.host().peerId()))
        .get(10, TimeUnit.SECONDS);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void deviceWithoutRootKey_waitsForTheRootLogFromAPeer_thenPostsAndThePeerAcceptsIt()
      throws Exception {
    long now = System.currentTimeMillis();
    seedRootLog("a", List.of(alice.delegate(laptop, now), alice.delegate(phone, now)));
    a = node("a", alice.root, laptop);
    joined("b");
    b = node("b", null, phone);

    assertThat(b.deviceStatus().state()).isEqualTo(DeviceStatus.State.UNKNOWN);
    assertThat(b.store().contiguousHead(alice.root.publicKey())).isZero(); // It wrote no root log.
    assertThatThrownBy(() -> b.post(post("too early")))
        .isInstanceOf(DeviceNotDelegatedException.class)
        .hasMessageContaining("not delegated")
        .matches(e -> !((DeviceNotDelegatedException) e).revoked());

    connect(b, a);
    await("b synced the root log", () -> b.deviceStatus().state() == DeviceStatus.State.ACTIVE);
    LogEntry fromPhone = b.post(post("from the phone"));
    assertThat(fromPhone.header().author()).isEqualTo(phone.publicKey());
    assertThat(fromPhone.header().seq()).isEqualTo(1);
    await("a holds the phone's post", () -> a.store().entryById(fromPhone.id()).isPresent());
    LogEntry fromLaptop = a.post(post("from the laptop"));
    await("b holds the laptop's post", () -> b.store().entryById(fromLaptop.id()).isPresent());
    for (Node n : new Node[] {a, b}) {
      assertThat(n.store().forks(alice.identity)).isEmpty();
      assertThat(n.store().contiguousHead(alice.root.publicKey())).isEqualTo(2);
    }
  }

  @Test
  void joinedIdentityWithRootKey_startsNoRootLog_delegatesAfterSyncWithoutAFork() throws Exception {
    seedRootLog("a", List.of(alice.delegate(laptop, System.currentTimeMillis())));
    a = node("a", alice.root, laptop);
    joined("b");
    b =
        node(
            "b",
            alice.root,
            phone); // As after `identity import --phrase`: the root key, no root log.

    assertThat(b.store().contiguousHead(alice.root.publicKey())).isZero();
    assertThatThrownBy(() -> b.post(post("too early")))
        .isInstanceOf(DeviceNotDelegatedException.class);

    connect(b, a);
    await(
        "b delegated its device on top of the synced root log",
        () -> b.deviceStatus().state() == DeviceStatus.State.ACTIVE);
    assertThat(b.store().contiguousHead(alice.root.publicKey())).isEqualTo(2);
    LogEntry fromPhone = b.post(post("restored from the phrase"));
    await("a holds the phone's post", () -> a.store().entryById(fromPhone.id()).isPresent());
    assertThat(a.store().contiguousHead(alice.root.publicKey())).isEqualTo(2);
    assertThat(a.store().forks(alice.identity)).isEmpty();
    assertThat(b.store().forks(alice.identity)).isEmpty();
  }

  @Test
  void newIdentity_startsItsRootLog_butAJoinedOneWithoutPeersDoesNot() throws Exception {
    a = node("a", alice.root, laptop);
    assertThat(a.deviceStatus().state()).isEqualTo(DeviceStatus.State.ACTIVE);
    assertThat(a.store().contiguousHead(alice.root.publicKey())).isEqualTo(1);
    a.close();
    a = null;
    joined("c");
    b = node("c", alice.root, laptop);
    assertThat(b.deviceStatus().state()).isEqualTo(DeviceStatus.State.UNKNOWN);
    assertThat(b.store().contiguousHead(alice.root.publicKey())).isZero();
  }

  @Test
  void revokedDevice_laterEntriesAreRefusedByThePeer_andItStopsWriting() throws Exception {
    long now = System.currentTimeMillis();
    LogEntry delegateLaptop = alice.delegate(laptop, now);
    LogEntry delegatePhone = alice.delegate(phone, now);
    seedRootLog("b", List.of(delegateLaptop, delegatePhone));
    joined("b");
    b = node("b", null, phone);
    LogEntry kept = b.post(post("before the revocation"));
    LogEntry late = b.post(post("after the revocation"));
    b.close();
    b = null;
    // The laptop revokes the phone (offline, with the root key): its entries after seq 1 are void.
    seedRootLog("a", List.of(delegateLaptop, delegatePhone, alice.revoke(phone, 1, now)));
    a = node("a", alice.root, laptop);
    b = node("b", null, phone);

    connect(b, a);
    await(
        "a holds the phone's entry before the revocation",
        () -> a.store().entryById(kept.id()).isPresent());
    await(
        "b learned of the revocation",
        () -> b.deviceStatus().state() == DeviceStatus.State.REVOKED);
    assertThatThrownBy(() -> b.post(post("still here?")))
        .isInstanceOf(DeviceNotDelegatedException.class)
        .matches(e -> ((DeviceNotDelegatedException) e).revoked());
    await(
        "a refused the phone's entry after the revocation",
        () ->
            a.ingestCounts().keySet().stream()
                .anyMatch(k -> k.endsWith(".rejected.revoked_device")));
    assertThat(a.store().entryById(late.id())).isEmpty();
    assertThat(a.store().contiguousHead(phone.publicKey())).isEqualTo(1);
  }
}
