package org.grapevine.benchmarks;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.MessageSigning;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.gossipsub.SignaturePolicy;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;

/**
 * The GossipSub router core alone, in virtual time: one router with 50 peers and 20 topics. Reports
 * heartbeats per second of CPU and message deliveries per second of CPU (receive, validate as
 * ACCEPT, forward to the mesh), with signed messages (StrictSign, every message's Ed25519 signature
 * checked) and unsigned ones (StrictNoSign: the router's own cost). Baseline in the same run: the
 * raw Ed25519 verify rate of the same library.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.GossipCoreHarness}
 */
public final class GossipCoreHarness {
  private static final int PEERS = 50;
  private static final int TOPICS = 20;
  private static final long MS = 1_000_000L;

  public static void main(String[] args) {
    System.out.printf(
        Locale.ROOT,
        "router with %d peers, %d topics, 1 KiB messages, JDK %s%n",
        PEERS,
        TOPICS,
        System.getProperty("java.version"));
    for (int round = 0; round < 2; round++) { // The first round warms the JIT.
      double verify = verifyRate(20_000);
      double hbSigned = heartbeats(SignaturePolicy.STRICT_SIGN, 20_000);
      double signed = deliveries(SignaturePolicy.STRICT_SIGN, 20_000);
      double unsigned = deliveries(SignaturePolicy.STRICT_NO_SIGN, 100_000);
      if (round == 1) {
        System.out.printf(
            Locale.ROOT, "raw Ed25519 verify (BouncyCastle):      %10.0f /s%n", verify);
        System.out.printf(
            Locale.ROOT, "heartbeats:                             %10.0f /s of CPU%n", hbSigned);
        System.out.printf(
            Locale.ROOT,
            "deliveries, signed (StrictSign):        %10.0f /s of CPU  = %.2f of raw verify%n",
            signed,
            signed / verify);
        System.out.printf(
            Locale.ROOT, "deliveries, unsigned (StrictNoSign):    %10.0f /s of CPU%n", unsigned);
      }
    }
  }

  static double verifyRate(int n) {
    PrivKey k = PrivKey.generate(new java.security.SecureRandom());
    byte[] msg = new byte[1100];
    byte[] sig = k.sign(msg);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (!k.publicKey().verify(msg, sig)) {
        throw new AssertionError();
      }
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** A router whose peers are all subscribed to every topic, meshes formed. */
  static final class Setup {
    final GossipRouter router;
    final List<PeerId> peers = new ArrayList<>();
    final List<PrivKey> keys = new ArrayList<>();
    long now = 1_000 * MS;

    Setup(SignaturePolicy policy) {
      SplittableRandom random = new SplittableRandom(7);
      PrivKey self = PrivKey.fromSeed(bytes(random, 32));
      GossipConfig config =
          GossipConfig.builder()
              .signaturePolicy(policy)
              .messageIdFunction(
                  policy == SignaturePolicy.STRICT_SIGN
                      ? org.grapevine.libp2p.gossipsub.MessageIdFunction.fromAndSeqno()
                      : org.grapevine.libp2p.gossipsub.MessageIdFunction.sha256OfData())
              .build();
      router =
          new GossipRouter(
              config,
              PeerId.fromPubKey(self.publicKey()),
              policy == SignaturePolicy.STRICT_SIGN ? self : null,
              random);
      RPC.Builder subs = RPC.newBuilder();
      for (int t = 0; t < TOPICS; t++) {
        subs.addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid("topic-" + t));
        router.subscribe("topic-" + t, now);
      }
      for (int p = 0; p < PEERS; p++) {
        PrivKey key = PrivKey.fromSeed(bytes(random, 32));
        PeerId peer = PeerId.fromPubKey(key.publicKey());
        keys.add(key);
        peers.add(peer);
        router.handlePeerConnected(
            peer,
            p % 2 == 0 ? Direction.OUTBOUND : Direction.INBOUND,
            GossipProtocol.MESHSUB_V12,
            now);
        router.handleRpc(peer, Rpc.of(subs.build()), now);
      }
      for (int i = 0; i < 5; i++) {
        heartbeat();
      }
      drain();
    }

    void heartbeat() {
      now = Math.max(now, router.pollTimeout().orElse(now));
      router.handleTimeout(now);
    }

    void drain() {
      while (router.pollOutbound().isPresent()) {
        // Discarded: the sockets are not what is measured.
      }
      for (Optional<GossipEvent> e = router.pollEvent(); e.isPresent(); e = router.pollEvent()) {
        if (e.get() instanceof GossipEvent.MessageReceived m) {
          router.reportValidation(m.id(), m.source(), Acceptance.ACCEPT);
        }
      }
      while (router.pollOutbound().isPresent()) {
        // Forwarded copies.
      }
    }
  }

  static double heartbeats(SignaturePolicy policy, int n) {
    Setup s = new Setup(policy);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      s.heartbeat();
      s.drain();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  static double deliveries(SignaturePolicy policy, int n) {
    Setup s = new Setup(policy);
    SplittableRandom random = new SplittableRandom(11);
    List<Rpc> rpcs = new ArrayList<>(n);
    List<PeerId> senders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int p = random.nextInt(PEERS);
      Message.Builder m =
          Message.newBuilder()
              .setTopic("topic-" + random.nextInt(TOPICS))
              .setData(ByteString.copyFrom(bytes(random, 1024)));
      Message msg = m.build();
      if (policy == SignaturePolicy.STRICT_SIGN) {
        msg =
            MessageSigning.sign(
                m.setFrom(ByteString.copyFrom(s.peers.get(p).toBytes()))
                    .setSeqno(MessageSigning.seqnoBytes(i + 1))
                    .build(),
                s.keys.get(p));
      }
      rpcs.add(Rpc.of(RPC.newBuilder().addPublish(msg).build()));
      senders.add(s.peers.get(p));
    }
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      s.now +=
          MS / 10; // 10,000 messages per virtual second: heartbeats run as often as they would.
      if (s.now >= s.router.pollTimeout().orElse(Long.MAX_VALUE)) {
        s.heartbeat();
      }
      s.router.handleRpc(senders.get(i), rpcs.get(i), s.now);
      s.drain();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static byte[] bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
