package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.RPC;
import org.junit.jupiter.api.Test;

/** Peers' topic lists: immutable, in subscription order, one copy per content among routers. */
class TopicSetsTest {
  private static final PeerId P = TestPeers.peer(1);
  private final RpcCodec codec = new RpcCodec();

  @Test
  void withAndWithout_keepTheOrder_andEqualListsShareOneCopy() {
    TopicList abc = TopicList.EMPTY.with("a").with("b").with("c");
    assertThat(abc).hasToString("[a, b, c]");
    assertThat(abc.with("b")).isSameAs(abc); // already in it
    assertThat(abc.without("x")).isSameAs(abc); // not in it

    TopicList ac = abc.without("b");
    assertThat(ac).hasToString("[a, c]").isEqualTo(TopicList.EMPTY.with("a").with("c"));
    assertThat(abc).hasToString("[a, b, c]"); // unchanged: lists are immutable
    // Order is part of the content: [c, a] is another list.
    assertThat(TopicList.EMPTY.with("c").with("a")).isNotEqualTo(ac).hasToString("[c, a]");
    assertThat(ac.without("a").without("c")).isSameAs(TopicList.EMPTY);

    TopicSets sets = new TopicSets();
    TopicList first = sets.share(ac);
    assertThat(sets.share(TopicList.EMPTY.with("a").with("c"))).isSameAs(first).isSameAs(ac);
    assertThat(sets.share(abc)).isSameAs(abc);
    assertThat(sets.share(TopicList.EMPTY)).isSameAs(TopicList.EMPTY);
    assertThat(sets.size()).isEqualTo(2);
  }

  @Test
  void routersSharingSets_holdOneCopy_andEachChangesOnlyItsOwn() throws Exception {
    TopicSets shared = new TopicSets();
    GossipRouter one = router(2, shared);
    GossipRouter two = router(3, shared);
    GossipRouter alone = router(4, new TopicSets());
    for (GossipRouter r : new GossipRouter[] {one, two, alone}) {
      r.handlePeerConnected(P, Direction.INBOUND, GossipProtocol.MESHSUB_V12, 0);
      // Each router decodes its own copy of the announcement, as over a wire.
      r.handleRpc(P, codec.decode(subscriptions(true, "a", "b", "c").toByteArray()), 0);
    }
    assertThat(one.topicsOf(P)).hasToString("[a, b, c]").isSameAs(two.topicsOf(P));
    // Shared once per RPC: the lists in between ([a], [a, b]) were never held.
    assertThat(shared.size()).isEqualTo(1);
    assertThat(alone.topicsOf(P)).isEqualTo(one.topicsOf(P)).isNotSameAs(one.topicsOf(P));

    one.handleRpc(P, codec.decode(subscriptions(false, "b").toByteArray()), 1);
    assertThat(one.topicsOf(P)).hasToString("[a, c]");
    assertThat(two.topicsOf(P)).hasToString("[a, b, c]");
    assertThat(one.subscribes(P, "b")).isFalse();
    assertThat(two.subscribes(P, "b")).isTrue();

    one.handlePeerDisconnected(P, 2);
    assertThat(one.topicsOf(P)).isNull();
    assertThat(two.topicsOf(P)).hasToString("[a, b, c]");
  }

  private static GossipRouter router(int me, TopicSets sets) {
    return new GossipRouter(
        GossipConfig.builder().build(),
        TestPeers.peer(me),
        TestPeers.key(me),
        new Random(me),
        sets);
  }

  private static RPC subscriptions(boolean subscribe, String... topics) {
    RPC.Builder b = RPC.newBuilder();
    for (String t : topics) {
      b.addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(subscribe).setTopicid(t));
    }
    return b.build();
  }
}
