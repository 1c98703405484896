package org.grapevine.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.DropReason;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over gossip against a real node (RocksDB, TCP on 127.0.0.1, Noise, Yamux, GossipSub): a
 * hostile peer (a bare host and GossipSub driver) publishes on the topic of Bob, whom the node
 * follows, every kind of bad entry. Each gets its defined outcome (counted per reason, REJECT or
 * IGNORE to the router), nothing invalid is stored, forks are kept as evidence, an unknown kind is
 * kept byte for byte, and afterwards the node still takes valid entries from a well-behaved peer
 * and serves Bob's log by sync to a new follower.
 */
@Timeout(120)
class GossipBadInputIT {
  private static final long NOW = System.currentTimeMillis();
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, TestAuthors.Person who) throws Exception {
    Node n =
        NodeLauncher.of(
                NodeConfig.loopback(),
                dir.resolve(name),
                new DataDir.Keys(
                    who.identity,
                    who.root,
                    who.deviceKey("laptop"),
                    PrivKey.generate(new SecureRandom())),
                group)
            .host(h -> h.inboundRate(1000, 1000))
            .start();
    closing.add(n);
    return n;
  }

  /** A bare peer subscribed to {@code topic}, dialled to {@code target}. */
  private GossipDriver peer(Node target, String topic) throws Exception {
    return BarePeer.start(target, topic, group, closing).gossip();
  }

  /** grapevine_gossip_dropped_total{reason}, or -1 when the sample is not there. */
  private static long droppedMetric(Node node, String reason) {
    return node.metrics().snapshot().stream()
        .filter(f -> f.name().equals("grapevine_gossip_dropped_total"))
        .flatMap(f -> f.samples().stream())
        .filter(x -> reason.equals(x.labels().get("reason")))
        .mapToLong(x -> x.value())
        .findFirst()
        .orElse(-1);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    await(() -> what, condition);
  }

  private static void await(java.util.function.Supplier<String> what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void awaitCount(Node n, String key, long atLeast) throws InterruptedException {
    await(
        () -> key + " >= " + atLeast + " in " + n.ingestCounts(),
        () -> n.ingestCounts().getOrDefault(key, 0L) >= atLeast);
  }

  private static byte[] withBadSignature(LogEntry e) {
    byte[] sig = e.signed().signature();
    sig[0] ^= 1;
    return EntryCodec.encodeEnvelope(e.signed().entryBytes(), sig, e.contentBytes().orElse(null));
  }

  @Test
  void hostilePeer_everyBadEntry_definedOutcomeNothingInvalidStored_nodeKeepsServing()
      throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    String topic = Topics.forIdentity(bob.identity);
    Node node = node("alice", alice);
    node.follow(bob.identity);
    GossipDriver hostile = peer(node, topic);
    org.grapevine.libp2p.peer.PeerId hostileId =
        node.host().connections().iterator().next().remotePeer();

    LogWriter log = bob.deviceLog(phone);
    LogEntry delegation = bob.delegate(phone, NOW);
    LogEntry first = log.append(post("first"), NOW);
    LogEntry second = log.append(post("second"), NOW + 1);
    LogEntry unknownKind =
        log.appendOpaque(99, new byte[] {0x0a, 0x03, 'n', 'e', 'w', 0x10, 0x01}, NOW + 2);
    LogEntry fourth = log.append(post("fourth"), NOW + 3);
    // The valid log, relayed by the hostile peer (anyone may relay).
    hostile.publish(topic, delegation.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
    hostile.publish(topic, first.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
    awaitCount(node, "gossip.stored", 2);

    // 1. Malformed and oversize envelopes.
    hostile.publish(topic, new byte[] {1, 2, 3, 4, 5}).get(5, TimeUnit.SECONDS);
    hostile.publish(topic, new byte[Limits.MAX_ENVELOPE_BYTES + 1]).get(5, TimeUnit.SECONDS);
    // 2. Wrong signature, sent before the valid copy.
    hostile.publish(topic, withBadSignature(second)).get(5, TimeUnit.SECONDS);
    // Three REJECTs graylisted the first hostile peer (see GossipScoring: -10 x 3^2, under -80):
    // its messages are ignored from now on, so a second one sends the rest, with its third
    // REJECT last.
    awaitCount(node, "gossip.rejected", 3);
    double graylist =
        org.grapevine.libp2p.gossipsub.PeerScoreThresholds.builder().build().graylistThreshold();
    // The verdicts reach the router just after the engine counts them.
    await(
        () ->
            "hostile peer's score " + node.gossipPeerScore(hostileId).join() + " under " + graylist,
        () -> node.gossipPeerScore(hostileId).join() < graylist);
    hostile = peer(node, topic);
    // The entry stripped of its content, also before the valid copy.
    hostile.publish(topic, second.withoutContent().toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
    // 3. Forged chains: a device Bob never delegated; a gap filled with bogus entries; a log
    //    that does not chain (prev names an entry the node does not hold at seq 1).
    SigningKey stolen = bob.deviceKey("never delegated");
    hostile
        .publish(topic, bob.deviceLog(stolen).append(post("hi"), NOW).toEnvelopeBytes())
        .get(5, TimeUnit.SECONDS);
    LogWriter far = new LogWriter(bob.identity, phone, LogHead.of(fourth.signed()));
    LogEntry bogusAtGap = far.append(post("bogus"), NOW + 4);
    hostile
        .publish(topic, withBadSignature(far.append(post("bogus 2"), NOW + 5)))
        .get(5, TimeUnit.SECONDS);
    LogWriter otherHistory = bob.deviceLog(phone);
    LogEntry otherFirst = otherHistory.append(post("another first"), NOW);
    LogEntry otherSecond = otherHistory.append(post("another second"), NOW + 1);
    hostile
        .publish(topic, otherSecond.toEnvelopeBytes())
        .get(5, TimeUnit.SECONDS); // prev mismatch at seq 2
    // 4. A fork at seq 1: two entries Bob signed for the same seq.
    hostile.publish(topic, otherFirst.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
    // 5. Someone else's entry on Bob's topic.
    TestAuthors.Person carol = TestAuthors.person("carol");
    hostile
        .publish(topic, carol.delegate(carol.deviceKey("x"), NOW).toEnvelopeBytes())
        .get(5, TimeUnit.SECONDS);

    awaitCount(node, "gossip.rejected.malformed_envelope", 1);
    awaitCount(node, "gossip.rejected.envelope_too_large", 1);
    awaitCount(node, "gossip.rejected.bad_signature", 2);
    awaitCount(node, "gossip.rejected.undelegated_device", 1);
    awaitCount(node, "gossip.forked", 2);
    awaitCount(node, "gossip.rejected.wrong_topic", 1);
    awaitCount(node, "gossip.rejected.content_required", 1);
    var metrics = node.gossipMetrics().get(5, TimeUnit.SECONDS);
    // REJECT for the sender's faults (malformed, oversize, 2 bad signatures, stripped content,
    // wrong topic); IGNORE for what may be our staleness (undelegated device) and for forks.
    assertThat(metrics.drops())
        .containsEntry(DropReason.REJECTED, 6L)
        .containsEntry(DropReason.IGNORED, 3L);
    // The same counts in the node's metrics (/metrics, /v1/metrics), as of a heartbeat.
    await(
        "the drops in the node's metrics",
        () -> droppedMetric(node, "rejected") == 6 && droppedMetric(node, "ignored") == 3);
    // Nothing invalid stored; the forks are evidence and flag Bob.
    assertThat(node.store().contiguousHead(phone.publicKey())).isEqualTo(1);
    assertThat(node.store().contiguousHead(stolen.publicKey())).isZero();
    assertThat(node.store().logEntry(phone.publicKey(), 1).orElseThrow().id())
        .isEqualTo(first.id());
    assertThat(node.store().entry(phone.publicKey(), bogusAtGap.header().seq())).isEmpty();
    assertThat(node.store().forks(bob.identity)).hasSize(2);
    assertThat(node.store().contiguousHead(carol.root.publicKey())).isZero();

    // 6. A well-behaved peer: the valid second entry (after two bad copies of it), an
    //    unknown kind, and more. All stored; the unknown kind byte for byte.
    GossipDriver good = peer(node, topic);
    for (LogEntry e : List.of(second, unknownKind, fourth)) {
      assertThat(good.publish(topic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS).peers())
          .isEqualTo(1);
    }
    await(
        "the node stored bob's 4 entries: " + node.ingestCounts(),
        () -> node.store().contiguousHead(phone.publicKey()) == 4);
    assertThat(node.store().logEntry(phone.publicKey(), 3).orElseThrow().toEnvelopeBytes())
        .isEqualTo(unknownKind.toEnvelopeBytes());

    // 7. And a new follower catches up from it by sync, unknown kind included, byte for byte.
    Node dave = node("dave", TestAuthors.person("dave"));
    dave.follow(bob.identity);
    dave.connect(node.host().listenAddrs().get(0).withPeerId(node.host().peerId()))
        .get(10, TimeUnit.SECONDS);
    await("dave synced bob's log", () -> dave.store().contiguousHead(phone.publicKey()) == 4);
    assertThat(dave.store().logEntry(phone.publicKey(), 3).orElseThrow().toEnvelopeBytes())
        .isEqualTo(unknownKind.toEnvelopeBytes());
  }
}
