package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.ControlGraft;
import org.grapevine.libp2p.proto.ControlIDontWant;
import org.grapevine.libp2p.proto.ControlIHave;
import org.grapevine.libp2p.proto.ControlMessage;
import org.grapevine.libp2p.proto.ControlPrune;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;
import org.junit.jupiter.api.Test;

/** One router driven by hand-written RPCs from fake peers (every RPC goes through the codec). */
class GossipRouterTest {
  private static final long S = 1_000_000_000L;
  private static final PeerId ME = TestPeers.peer(100);
  private static final PeerId A = TestPeers.peer(1);
  private static final PeerId B = TestPeers.peer(2);
  private final RpcCodec codec = new RpcCodec();
  private final List<GossipEvent> events = new ArrayList<>();
  private GossipRouter router;
  private long now = 0;

  private GossipRouter router(GossipConfig config) {
    router =
        new GossipRouter(
            config,
            ME,
            config.signaturePolicy() == SignaturePolicy.STRICT_SIGN ? TestPeers.key(100) : null,
            new Random(9));
    return router;
  }

  private List<OutboundRpc> drain() {
    List<OutboundRpc> out = new ArrayList<>();
    for (Optional<OutboundRpc> o = router.pollOutbound();
        o.isPresent();
        o = router.pollOutbound()) {
      out.add(o.get());
    }
    for (Optional<GossipEvent> e = router.pollEvent(); e.isPresent(); e = router.pollEvent()) {
      events.add(e.get());
    }
    return out;
  }

  private List<OutboundRpc> receive(PeerId from, RPC rpc) throws MalformedFrameException {
    router.handleRpc(from, codec.decode(rpc.toByteArray()), now);
    return drain();
  }

  private List<OutboundRpc> advanceTo(long t) {
    List<OutboundRpc> out = new ArrayList<>();
    while (router.pollTimeout().getAsLong() <= t) {
      now = router.pollTimeout().getAsLong();
      router.handleTimeout(now);
      out.addAll(drain());
    }
    now = t;
    return out;
  }

  private static RPC subscribe(String topic) {
    return RPC.newBuilder()
        .addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic))
        .build();
  }

  private static RPC control(ControlMessage.Builder c) {
    return RPC.newBuilder().setControl(c).build();
  }

  private static Message signed(int peer, long seqno, byte[] data) {
    Message m =
        Message.newBuilder()
            .setFrom(ByteString.copyFrom(TestPeers.peer(peer).toBytes()))
            .setData(ByteString.copyFrom(data))
            .setSeqno(MessageSigning.seqnoBytes(seqno))
            .setTopic("t")
            .build();
    return MessageSigning.sign(m, TestPeers.key(peer));
  }

  /** Router subscribed to "t" with A and B (v1.2) subscribed and grafted into its mesh. */
  private void meshWithAandB(GossipConfig config) throws MalformedFrameException {
    router(config);
    router.subscribe("t", now);
    router.handlePeerConnected(A, Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    router.handlePeerConnected(B, Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    drain();
    receive(A, subscribe("t"));
    receive(B, subscribe("t"));
    advanceTo(S);
    assertThat(router.meshPeers("t")).containsExactlyInAnyOrder(A, B);
  }

  private static boolean hasPrune(List<OutboundRpc> out, PeerId to) {
    return out.stream()
        .anyMatch(o -> o.to().equals(to) && o.rpc().proto().getControl().getPruneCount() > 0);
  }

  @Test
  void validationQueue_perTopicBound_dropsAndCountsOnlyThatTopic() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().maxPendingValidationsPerTopic(2).build());
    router.subscribe("u", now);
    drain();
    for (int i = 1; i <= 3; i++) {
      receive(A, RPC.newBuilder().addPublish(signed(1, i, new byte[] {(byte) i})).build());
    }
    Message other =
        MessageSigning.sign(
            Message.newBuilder()
                .setFrom(ByteString.copyFrom(TestPeers.peer(1).toBytes()))
                .setData(ByteString.copyFrom(new byte[] {9}))
                .setSeqno(MessageSigning.seqnoBytes(10))
                .setTopic("u")
                .build(),
            TestPeers.key(1));
    receive(A, RPC.newBuilder().addPublish(other).build());
    assertThat(events)
        .filteredOn(e -> e instanceof GossipEvent.MessageReceived)
        .extracting(e -> ((GossipEvent.MessageReceived) e).topic())
        .containsExactly("t", "t", "u");
    assertThat(router.metrics().drops()).containsEntry(DropReason.TOPIC_VALIDATION_QUEUE_FULL, 1L);
  }

  @Test
  void floodsubPeer_getsEveryMessage_neverGraftedNorGossiped() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    PeerId f = TestPeers.peer(3);
    router.handlePeerConnected(f, Direction.INBOUND, GossipProtocol.FLOODSUB, now);
    drain();
    receive(f, subscribe("t"));
    receive(
        f,
        control(ControlMessage.newBuilder().addGraft(ControlGraft.newBuilder().setTopicID("t"))));
    List<OutboundRpc> out = advanceTo(3 * S);
    assertThat(router.meshPeers("t")).doesNotContain(f);
    assertThat(out)
        .filteredOn(o -> o.to().equals(f))
        .allSatisfy(o -> assertThat(o.rpc().proto().hasControl()).isFalse());
    // A message from A reaches the floodsub peer (not in any mesh) once validated.
    receive(A, RPC.newBuilder().addPublish(signed(1, 1, new byte[] {1, 2, 3})).build());
    GossipEvent.MessageReceived m =
        (GossipEvent.MessageReceived)
            events.stream()
                .filter(e -> e instanceof GossipEvent.MessageReceived)
                .reduce((x, y) -> y)
                .orElseThrow();
    router.reportValidation(m.id(), A, Acceptance.ACCEPT);
    assertThat(drain())
        .filteredOn(o -> o.to().equals(f))
        .singleElement()
        .satisfies(o -> assertThat(o.rpc().proto().getPublishCount()).isEqualTo(1));
    // And our own publications go to it too.
    router.publish("t", new byte[] {9}, now);
    assertThat(drain()).anyMatch(o -> o.to().equals(f) && o.rpc().proto().getPublishCount() == 1);
  }

  @Test
  void handlePrune_backoff_noRegraftUntilExpiry() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    receive(
        A,
        control(
            ControlMessage.newBuilder()
                .addPrune(ControlPrune.newBuilder().setTopicID("t").setBackoff(30))));
    assertThat(router.meshPeers("t")).containsExactly(B);
    assertThat(events).contains(new GossipEvent.Pruned(A, "t"));
    List<OutboundRpc> out = advanceTo(31 * S); // backoff 30 s + 1 heartbeat of slack from t=1 s
    assertThat(out)
        .noneMatch(o -> o.to().equals(A) && o.rpc().proto().getControl().getGraftCount() > 0);
    out = advanceTo(33 * S);
    assertThat(out)
        .anyMatch(o -> o.to().equals(A) && o.rpc().proto().getControl().getGraftCount() > 0);
    assertThat(router.meshPeers("t")).contains(A);
  }

  @Test
  void handleGraft_duringBackoff_penalisedAndPruned() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    receive(
        A,
        control(
            ControlMessage.newBuilder()
                .addPrune(ControlPrune.newBuilder().setTopicID("t").setBackoff(60))));
    now += S;
    List<OutboundRpc> out =
        receive(
            A,
            control(
                ControlMessage.newBuilder().addGraft(ControlGraft.newBuilder().setTopicID("t"))));
    // P7 = 2 (within the 10 s flood threshold): weight -10 * 2^2.
    assertThat(router.peerScore(A)).isEqualTo(-40.0);
    assertThat(router.meshPeers("t")).doesNotContain(A);
    assertThat(hasPrune(out, A)).isTrue();
    assertThat(events)
        .contains(new GossipEvent.PeerMisbehaved(A, GossipErrorCode.GRAFT_DURING_BACKOFF));
  }

  @Test
  void handleGraft_notSubscribed_ignoredWithoutAnswer() throws MalformedFrameException {
    router(GossipConfig.builder().build());
    router.handlePeerConnected(A, Direction.INBOUND, GossipProtocol.MESHSUB_V12, now);
    drain();
    List<OutboundRpc> out =
        receive(
            A,
            control(
                ControlMessage.newBuilder().addGraft(ControlGraft.newBuilder().setTopicID("x"))));
    assertThat(out).isEmpty();
    assertThat(router.meshPeers("x")).isEmpty();
  }

  @Test
  void handleIHave_promiseNotKept_behaviourPenalty() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    ByteString id = ByteString.copyFromUtf8("never-delivered");
    List<OutboundRpc> out =
        receive(
            A,
            control(
                ControlMessage.newBuilder()
                    .addIhave(ControlIHave.newBuilder().setTopicID("t").addMessageIDs(id))));
    assertThat(out)
        .singleElement()
        .satisfies(
            o ->
                assertThat(o.rpc().proto().getControl().getIwant(0).getMessageIDsList())
                    .containsExactly(id));
    advanceTo(4 * S + 200_000_000L); // follow-up 3 s after t=1 s, checked at the heartbeat at 4.1 s
    assertThat(router.peerScore(A)).isEqualTo(-10.0); // P7 = 1: -10 * 1^2
    assertThat(events).contains(new GossipEvent.PeerMisbehaved(A, GossipErrorCode.BROKEN_PROMISE));
    assertThat(router.peerScore(B)).isZero();
  }

  @Test
  void handleIHave_promiseKept_noPenalty() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    Message m = signed(5, 1, new byte[] {1});
    ByteString id = MessageIdFunction.fromAndSeqno().apply(m).toByteString();
    receive(
        A,
        control(
            ControlMessage.newBuilder()
                .addIhave(ControlIHave.newBuilder().setTopicID("t").addMessageIDs(id))));
    receive(A, RPC.newBuilder().addPublish(m).build());
    advanceTo(5 * S);
    assertThat(router.peerScore(A)).isZero();
  }

  @Test
  void idontwant_receivedBeforeMessage_suppressesSendAndLargeMessageAnnounced()
      throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    Message m = signed(5, 1, new byte[2000]);
    MessageId id = MessageIdFunction.fromAndSeqno().apply(m);
    receive(
        A,
        control(
            ControlMessage.newBuilder()
                .addIdontwant(ControlIDontWant.newBuilder().addMessageIDs(id.toByteString()))));
    // B delivers it: we tell A at once (IDONTWANT, before validation), and forward to nobody.
    List<OutboundRpc> out = receive(B, RPC.newBuilder().addPublish(m).build());
    assertThat(out)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.to()).isEqualTo(A);
              assertThat(o.rpc().proto().getControl().getIdontwant(0).getMessageIDsList())
                  .containsExactly(id.toByteString());
            });
    assertThat(router.reportValidation(id, B, Acceptance.ACCEPT)).isTrue();
    assertThat(drain()).noneMatch(o -> o.rpc().proto().getPublishCount() > 0);
  }

  @Test
  void reportValidation_accept_forwardsToMeshExceptSourceAndOrigin()
      throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    Message m = signed(5, 1, new byte[] {1, 2, 3});
    receive(B, RPC.newBuilder().addPublish(m).build());
    GossipEvent.MessageReceived got =
        (GossipEvent.MessageReceived)
            events.stream()
                .filter(e -> e instanceof GossipEvent.MessageReceived)
                .findFirst()
                .orElseThrow();
    assertThat(got.from()).contains(TestPeers.peer(5));
    assertThat(got.seqno()).hasValue(1);
    assertThat(got.data()).containsExactly(1, 2, 3);
    router.reportValidation(got.id(), B, Acceptance.ACCEPT);
    List<OutboundRpc> out = drain();
    assertThat(out)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.to()).isEqualTo(A);
              assertThat(o.rpc().proto().getPublish(0)).isEqualTo(m);
            });
    assertThat(router.reportValidation(got.id(), B, Acceptance.ACCEPT)).isFalse();
  }

  @Test
  void handleRpc_badSignature_rejectedAndNotForwarded() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().build());
    Message forged =
        signed(5, 1, new byte[] {1}).toBuilder()
            .setData(ByteString.copyFrom(new byte[] {2}))
            .build();
    List<OutboundRpc> out = receive(B, RPC.newBuilder().addPublish(forged).build());
    assertThat(out).isEmpty();
    assertThat(events)
        .contains(new GossipEvent.PeerMisbehaved(B, GossipErrorCode.INVALID_SIGNATURE));
    assertThat(events).noneMatch(e -> e instanceof GossipEvent.MessageReceived);
    // The genuine message with the same id is still accepted afterwards.
    receive(A, RPC.newBuilder().addPublish(signed(5, 1, new byte[] {1})).build());
    assertThat(events).anyMatch(e -> e instanceof GossipEvent.MessageReceived);
  }

  @Test
  void handleRpc_strictNoSignWithSignedMessage_rejected() throws MalformedFrameException {
    meshWithAandB(
        GossipConfig.builder()
            .signaturePolicy(SignaturePolicy.STRICT_NO_SIGN)
            .messageIdFunction(MessageIdFunction.sha256OfData())
            .build());
    receive(B, RPC.newBuilder().addPublish(signed(5, 1, new byte[] {1})).build());
    assertThat(events)
        .contains(new GossipEvent.PeerMisbehaved(B, GossipErrorCode.UNEXPECTED_SIGNATURE_FIELDS));
    assertThat(events).noneMatch(e -> e instanceof GossipEvent.MessageReceived);
    receive(
        B,
        RPC.newBuilder()
            .addPublish(Message.newBuilder().setTopic("t").setData(ByteString.copyFromUtf8("ok")))
            .build());
    assertThat(events).anyMatch(e -> e instanceof GossipEvent.MessageReceived);
  }

  @Test
  void publish_strictSign_monotonicSeqnoFromSeedAndValidSignature() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().initialSeqno(1000).build());
    router.publish("t", new byte[] {1}, now);
    router.publish("t", new byte[] {1}, now);
    List<OutboundRpc> out = drain().stream().filter(o -> o.to().equals(A)).toList();
    assertThat(out).hasSize(2);
    Message first = out.get(0).rpc().proto().getPublish(0);
    Message second = out.get(1).rpc().proto().getPublish(0);
    assertThat(MessageSigning.seqnoValue(first.getSeqno())).isEqualTo(1000);
    assertThat(MessageSigning.seqnoValue(second.getSeqno())).isEqualTo(1001);
    assertThat(MessageSigning.check(first, SignaturePolicy.STRICT_SIGN)).isEmpty();
  }

  @Test
  void pendingValidations_beyondBound_droppedAndCounted() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().maxPendingValidations(2).build());
    RPC.Builder rpc = RPC.newBuilder();
    for (int i = 1; i <= 3; i++) {
      rpc.addPublish(signed(5, i, new byte[] {(byte) i}));
    }
    receive(B, rpc.build());
    assertThat(events).filteredOn(e -> e instanceof GossipEvent.MessageReceived).hasSize(2);
    assertThat(router.metrics().drops()).containsEntry(DropReason.VALIDATION_QUEUE_FULL, 1L);
  }

  @Test
  void outboundQueue_peerNotDrained_messagesDroppedAndCounted() throws MalformedFrameException {
    meshWithAandB(GossipConfig.builder().maxOutboundQueuePerPeer(2).build());
    for (int i = 0; i < 3; i++) {
      router.publish("t", new byte[] {(byte) i}, now); // not drained in between
    }
    assertThat(router.metrics().drops())
        .containsEntry(DropReason.QUEUE_FULL, 2L); // third message, to A and to B
    drain();
  }

  /**
   * Only joined topics are indexed (GossipRouter.peersOf): subscribers known before the join, after
   * a leave, and of a topic never joined must all still be found.
   */
  /**
   * A connected peer's score counters are the router's (one map entry per connection); the score
   * keeps them only once the peer leaves, through a reconnection within retainScore, and forgets
   * them past it.
   */
  @Test
  void scoreCounters_heldByTheRouterWhileConnected_retainedAcrossAReconnect_thenForgotten() {
    router(
        GossipConfig.builder()
            .scoreParams(
                PeerScoreParams.builder().appSpecificWeight(1).retainScoreNanos(10 * S).build())
            .build());
    router.handlePeerConnected(A, Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    router.handlePeerConnected(B, Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    router.setApplicationScore(A, 3);
    assertThat(router.peerScore(A)).isEqualTo(3);
    assertThat(router.scoreHeld()).isZero();

    router.handlePeerDisconnected(A, now);
    assertThat(router.scoreHeld()).isEqualTo(1);
    assertThat(router.peerScore(A)).isEqualTo(3); // retained
    advanceTo(5 * S);
    router.handlePeerConnected(A, Direction.INBOUND, GossipProtocol.MESHSUB_V12, now);
    assertThat(router.peerScore(A)).isEqualTo(3); // the same counters back
    assertThat(router.scoreHeld()).isZero();

    router.handlePeerDisconnected(A, now);
    advanceTo(20 * S); // past retainScore: the next refresh forgets A
    assertThat(router.scoreHeld()).isZero();
    assertThat(router.peerScore(A)).isZero();
    assertThat(router.peerScore(B)).isZero();
  }

  @Test
  void topicPeers_knownBeforeJoin_afterLeave_andNeverJoined() throws MalformedFrameException {
    router(GossipConfig.builder().build());
    router.handlePeerConnected(A, Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    router.handlePeerConnected(B, Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    drain();
    receive(A, subscribe("t"));
    receive(B, subscribe("t"));
    receive(B, subscribe("u"));
    assertThat(router.topicPeers("t")).containsExactlyInAnyOrder(A, B); // not joined yet
    assertThat(router.topicPeers("u")).containsExactly(B);
    assertThat(router.topicPeers("v")).isEmpty();

    router.subscribe("t", now); // the peers that announced "t" before are grafted
    drain();
    assertThat(router.meshPeers("t")).containsExactlyInAnyOrder(A, B);
    assertThat(router.topicPeers("t")).containsExactlyInAnyOrder(A, B);

    router.unsubscribe("t", now);
    drain();
    assertThat(router.topicPeers("t")).containsExactlyInAnyOrder(A, B);
    // Flood publishing to a topic we left reaches its subscribers, found by scanning.
    router.publish("t", new byte[] {7}, now);
    assertThat(drain())
        .filteredOn(o -> o.rpc().proto().getPublishCount() == 1)
        .extracting(OutboundRpc::to)
        .containsExactlyInAnyOrder(A, B);

    router.subscribe("t", now);
    router.handlePeerDisconnected(A, now);
    receive(
        B,
        RPC.newBuilder()
            .addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(false).setTopicid("u"))
            .build());
    assertThat(router.topicPeers("t")).containsExactly(B);
    assertThat(router.topicPeers("u")).isEmpty();
  }
}
