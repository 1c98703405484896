package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.junit.jupiter.api.Test;

/** SeenCache, MessageCache, Backoffs and GossipPromises. */
class DataStructuresTest {
  private static final long S = 1_000_000_000L;
  private static final PeerId A = TestPeers.peer(1);
  private static final PeerId B = TestPeers.peer(2);

  private static MessageId id(int n) {
    return MessageId.of(new byte[] {(byte) n});
  }

  private static Message msg(String topic) {
    return Message.newBuilder().setTopic(topic).setData(ByteString.copyFromUtf8("x")).build();
  }

  @Test
  void seenCache_afterTtl_forgets() {
    SeenCache seen = new SeenCache(120 * S);
    assertThat(seen.add(id(1), 0)).isTrue();
    assertThat(seen.add(id(1), 60 * S)).isFalse();
    assertThat(seen.contains(id(1), 119 * S)).isTrue();
    assertThat(seen.contains(id(1), 120 * S)).isFalse(); // re-adding did not extend it
    assertThat(seen.add(id(1), 121 * S)).isTrue();
    assertThat(seen.size()).isEqualTo(1);
  }

  @Test
  void messageCache_shift_movesThroughGossipAndHistoryWindows() {
    MessageCache mc = new MessageCache(5, 3);
    mc.put(id(1), msg("a"));
    mc.put(id(2), msg("b"));
    assertThat(mc.gossipIds("a")).containsExactly(id(1));
    for (int i = 0; i < 3; i++) {
      mc.shift();
    }
    assertThat(mc.gossipIds("a")).isEmpty(); // out of the gossip windows...
    assertThat(mc.get(id(1))).isPresent(); // ...but IWANT still served
    mc.shift();
    assertThat(mc.get(id(1))).isPresent();
    mc.shift();
    assertThat(mc.get(id(1))).isEmpty();
    assertThat(mc.size()).isZero();
  }

  @Test
  void messageCache_getForPeer_limitsRetransmissionsPerPeer() {
    MessageCache mc = new MessageCache(5, 3);
    mc.put(id(1), msg("a"));
    for (int i = 0; i < 3; i++) {
      assertThat(mc.getForPeer(id(1), A, 3)).isPresent();
    }
    assertThat(mc.getForPeer(id(1), A, 3)).isEmpty();
    assertThat(mc.getForPeer(id(1), B, 3)).isPresent();
    assertThat(mc.getForPeer(id(9), B, 3)).isEmpty();
  }

  @Test
  void backoffs_neverShortenAndExpire() {
    Backoffs b = new Backoffs();
    b.set("t", A, 60 * S);
    b.set("t", A, 10 * S);
    assertThat(b.isBackedOff("t", A, 30 * S)).isTrue();
    assertThat(b.isBackedOff("u", A, 30 * S)).isFalse();
    assertThat(b.isBackedOff("t", A, 60 * S)).isFalse();
    b.prune(60 * S);
    assertThat(b.size()).isZero();
  }

  @Test
  void promises_brokenOnlyWhenUndeliveredPastDeadline() {
    GossipPromises p = new GossipPromises();
    p.add(A, id(1), 3 * S);
    p.add(B, id(2), 3 * S);
    p.fulfil(id(2));
    assertThat(p.collectBroken(2 * S)).isEmpty();
    assertThat(p.collectBroken(3 * S)).isEqualTo(Map.of(A, 1));
    assertThat(p.size()).isZero();
  }
}
