package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.DhtEvent;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.topic.TopicCid;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rendezvous over real {@link Dht}s, in virtual time: 30 plain DHT nodes and ours, requests
 * delivered at once (each answer a millisecond later), no sockets. What the GossipSub router would
 * say of a topic's connected subscribers is set by the test.
 */
class RendezvousTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final String TOPIC = "/grapevine/1/id/followed";
  private static final String OWN = "/grapevine/1/id/own";

  private final Map<PeerId, Dht> others = new LinkedHashMap<>();
  private final Map<String, Integer> subscribers = new HashMap<>();
  private final Set<PeerId> subscribing = new HashSet<>();
  private final CoreOutputs out = new CoreOutputs();
  private final List<CoreCommand> commands = new ArrayList<>();
  private final List<CoreEvent> events = new ArrayList<>();
  private long now = 1_000 * S;
  private PeerId self;
  private Rendezvous rendezvous;

  private static PeerId peer(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[1] = (byte) (n >> 8);
    seed[2] = 7;
    return PeerId.fromPubKey(PrivKey.fromSeed(seed).publicKey());
  }

  private static Multiaddr addr(int n) {
    try {
      return Multiaddr.parse("/ip4/10.1." + (n >> 8) + "." + (n & 0xFF) + "/tcp/4001");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void network() {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 1; i <= 30; i++) {
      others.put(peer(i), new Dht(peer(i), DhtConfig.DEFAULT, random.split(), now));
    }
    List<PeerId> ids = new ArrayList<>(others.keySet());
    for (int i = 0; i < ids.size(); i++) {
      Dht d = others.get(ids.get(i));
      for (int j = 1; j <= 4; j++) {
        PeerId o = ids.get((i + j) % ids.size());
        d.handlePeerIdentified(o, List.of(addr(ids.indexOf(o) + 1)), true, now);
      }
      d.handleOwnAddrs(List.of(addr(i + 1)));
      d.bootstrap(now);
    }
    pump();
    self = peer(0);
  }

  private void start(RendezvousConfig config) {
    Dht dht = new Dht(self, DhtConfig.DEFAULT, new SplittableRandom(9), now);
    dht.handleOwnAddrs(List.of(addr(0)));
    rendezvous =
        new Rendezvous(
            dht,
            config,
            new Rendezvous.TopicView() {
              @Override
              public int connectedSubscribers(String topic) {
                return subscribers.getOrDefault(topic, 0);
              }

              @Override
              public boolean subscribes(PeerId peer, String topic) {
                return subscribing.contains(peer);
              }
            },
            out,
            now);
  }

  /** Identify with three of the others: the table is no longer empty. */
  private void join() {
    int n = 0;
    for (PeerId p : others.keySet()) {
      if (n++ < 3) {
        rendezvous.handlePeerIdentified(p, List.of(addr(n)), true, now);
        others.get(p).handlePeerIdentified(self, List.of(addr(0)), true, now);
      }
    }
    pump();
  }

  /** Delivers every request until nobody has anything more to send. */
  private void pump() {
    boolean more = true;
    while (more) {
      more = false;
      for (Dht d : others.values()) {
        for (DhtRequest r = d.pollRequest().orElse(null);
            r != null;
            r = d.pollRequest().orElse(null)) {
          more = true;
          deliver(d.self(), r);
        }
        for (DhtEvent e = d.pollEvent().orElse(null); e != null; e = d.pollEvent().orElse(null)) {
          more = true;
          if (e instanceof DhtEvent.ProviderFound f) {
            found.computeIfAbsent(d.self(), k -> new HashSet<>()).add(f.provider().id());
          }
        }
      }
      for (CoreCommand c = out.commands.poll(); c != null; c = out.commands.poll()) {
        more = true;
        if (c instanceof CoreCommand.SendDht s) {
          deliver(self, s.request());
        } else {
          commands.add(c);
        }
      }
      for (CoreEvent e = out.events.poll(); e != null; e = out.events.poll()) {
        events.add(e);
      }
    }
  }

  private final Map<PeerId, Set<PeerId>> found = new HashMap<>();

  private void deliver(PeerId from, DhtRequest r) {
    now += MS;
    KadServer.Reply reply;
    if (r.to().id().equals(self)) {
      reply = rendezvous == null ? null : rendezvous.handleRequest(from, r.message(), now);
    } else {
      Dht target = others.get(r.to().id());
      reply = target == null ? null : target.handleRequest(from, r.message(), now);
    }
    now += MS;
    KadMessage answer = reply == null ? null : reply.response().orElse(null);
    boolean ok =
        reply != null && reply.refusal().isEmpty() && (answer != null || !r.expectsResponse());
    if (from.equals(self)) {
      if (ok) {
        rendezvous.handleResponse(r.id(), answer, now);
      } else {
        rendezvous.handleFailure(r.id(), "unreachable", now);
      }
    } else {
      Dht source = others.get(from);
      if (ok) {
        source.handleResponse(r.id(), answer, now);
      } else {
        source.handleFailure(r.id(), "unreachable", now);
      }
    }
  }

  private List<PeerId> kept(String topic) {
    return commands.stream()
        .filter(c -> c instanceof CoreCommand.KeepTopicPeer k && k.topic().equals(topic))
        .map(c -> ((CoreCommand.KeepTopicPeer) c).peer().id())
        .toList();
  }

  @Test
  void follow_findsTheProvidersOfTheTopic_andKeepsThemAsTopicPeers() {
    PeerId carrier = peer(17);
    others.get(carrier).startProviding(TopicCid.providerKey(TOPIC), now);
    pump();
    start(RendezvousConfig.DEFAULT);
    join();

    rendezvous.subscribed(TOPIC, false, now);
    pump();

    assertThat(kept(TOPIC)).containsExactly(carrier);
    assertThat(rendezvous.topicPeers(TOPIC)).isEqualTo(1);
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e).isInstanceOf(CoreEvent.DhtQueryDone.class);
              assertThat(((CoreEvent.DhtQueryDone) e).topic()).isEqualTo(TOPIC);
            });
  }

  /**
   * Followers that found only each other stop looking (they have enough subscribers): the author
   * looks up its own topic while it has too few connected subscribers, and keeps the followers that
   * announce it; once it has enough, it stops.
   */
  @Test
  void ownTopic_withoutConnectedSubscribers_isLookedUp_andFindsItsFollowers() {
    PeerId follower = peer(11);
    others.get(follower).startProviding(TopicCid.providerKey(OWN), now);
    pump();
    start(RendezvousConfig.DEFAULT);
    join();

    rendezvous.subscribed(OWN, true, now);
    pump();

    assertThat(kept(OWN)).containsExactly(follower);
    assertThat(rendezvous.topicPeers(OWN)).isEqualTo(1);

    // Enough connected subscribers: the next checks look nothing up.
    subscribers.put(OWN, RendezvousConfig.DEFAULT.targetTopicPeers());
    commands.clear();
    for (int i = 0; i < 5; i++) {
      now += RendezvousConfig.DEFAULT.maxLookupBackoffNanos();
      rendezvous.timeout(now);
      assertThat(rendezvous.lookingUp(OWN)).isFalse();
      pump();
    }
    assertThat(kept(OWN)).isEmpty();
  }

  @Test
  void ownTopicAndFollows_areAnnounced_unlessAnnounceFollowsIsOff() {
    start(RendezvousConfig.DEFAULT.withAnnounceFollows(false));
    join();
    rendezvous.subscribed(OWN, true, now);
    rendezvous.subscribed(TOPIC, false, now);
    pump();

    Dht asker = others.get(peer(23));
    asker.findProviders(TopicCid.providerKey(OWN), 4, now);
    asker.findProviders(TopicCid.providerKey(TOPIC), 4, now);
    pump();

    assertThat(found.get(peer(23))).containsExactly(self); // Our own topic only.
    assertThat(rendezvous.lookingUp(OWN)).isFalse();
  }

  @Test
  void followBeforeAnyDhtPeer_waits_thenLooksUpWhenTheTableFills() {
    PeerId carrier = peer(5);
    others.get(carrier).startProviding(TopicCid.providerKey(TOPIC), now);
    pump();
    start(RendezvousConfig.DEFAULT);
    rendezvous.subscribed(TOPIC, false, now);
    pump();
    assertThat(kept(TOPIC)).isEmpty();
    assertThat(rendezvous.lookingUp(TOPIC)).isFalse();

    join();

    assertThat(kept(TOPIC)).containsExactly(carrier);
  }

  @Test
  void shortTopic_isLookedUpAgainAfterTheBackoff_aFullOneIsNot() {
    start(RendezvousConfig.DEFAULT);
    join();
    rendezvous.subscribed(TOPIC, false, now);
    pump();
    assertThat(kept(TOPIC)).isEmpty(); // Nobody provides it yet.

    PeerId late = peer(11);
    others.get(late).startProviding(TopicCid.providerKey(TOPIC), now);
    pump();
    // The lookup that found nobody doubled the backoff (10 s to 20 s); checks run every 10 s.
    now += 12 * S;
    rendezvous.timeout(now);
    pump();
    assertThat(kept(TOPIC)).isEmpty();
    now += 12 * S;
    rendezvous.timeout(now);
    pump();
    assertThat(kept(TOPIC)).containsExactly(late);

    // Enough subscribers connected: no more lookups.
    subscribers.put(TOPIC, 4);
    now += 10 * 60 * S;
    rendezvous.timeout(now);
    pump();
    assertThat(rendezvous.lookingUp(TOPIC)).isFalse();
  }

  @Test
  void unfollow_stopsAnnouncing_andReleasesItsTopicPeers() {
    PeerId carrier = peer(3);
    others.get(carrier).startProviding(TopicCid.providerKey(TOPIC), now);
    pump();
    start(RendezvousConfig.DEFAULT);
    join();
    rendezvous.subscribed(TOPIC, false, now);
    pump();
    assertThat(kept(TOPIC)).containsExactly(carrier);

    rendezvous.unsubscribed(TOPIC, now);
    pump();

    assertThat(commands).contains(new CoreCommand.ReleaseTopicPeer(carrier));
    assertThat(rendezvous.topicPeers(TOPIC)).isZero();
    assertThat(rendezvous.dht().providedKeys()).isZero();
  }

  /**
   * Own addressed messages wait for the addressee topic of someone we do not follow: its identity
   * topic's providers (the addressee, its announcing followers) are looked up and kept until the
   * messages are sent, then released.
   */
  @Test
  void reach_findsTheAddresseesProviders_andReleasesThemWhenReached() {
    String to = "/grapevine/1/to/followed";
    PeerId addressee = peer(19);
    PeerId follower = peer(8);
    others.get(addressee).startProviding(TopicCid.providerKey(TOPIC), now);
    others.get(follower).startProviding(TopicCid.providerKey(TOPIC), now);
    pump();
    start(RendezvousConfig.DEFAULT);
    join();

    rendezvous.reach(TOPIC, to, now);
    rendezvous.reach(TOPIC, to, now); // Once per addressee topic while it waits.
    pump();

    assertThat(kept(to)).containsExactlyInAnyOrder(addressee, follower);
    assertThat(rendezvous.reachPeers(to)).isEqualTo(2);
    assertThat(kept(TOPIC)).isEmpty(); // Not a followed topic: nothing kept for it.

    rendezvous.reached(to, now);
    pump();

    assertThat(commands)
        .contains(
            new CoreCommand.ReleaseTopicPeer(addressee),
            new CoreCommand.ReleaseTopicPeer(follower));
    assertThat(rendezvous.reachPeers(to)).isZero();
  }

  /**
   * A reach lookup that found nobody is made again after the backoff; a peer a followed topic keeps
   * too is not released when the reach ends.
   */
  @Test
  void reach_isLookedUpAgain_andKeepsPeersAFollowedTopicNeeds() {
    String to = "/grapevine/1/to/followed";
    start(RendezvousConfig.DEFAULT);
    join();
    rendezvous.reach(TOPIC, to, now);
    pump();
    assertThat(kept(to)).isEmpty();

    PeerId late = peer(13);
    others.get(late).startProviding(TopicCid.providerKey(TOPIC), now);
    pump();
    now += 12 * S;
    rendezvous.timeout(now);
    pump();
    assertThat(kept(to)).containsExactly(late);

    rendezvous.subscribed(TOPIC, false, now); // We follow the addressee now: the topic keeps it.
    pump();
    assertThat(kept(TOPIC)).containsExactly(late);
    commands.clear();
    rendezvous.reached(to, now);
    pump();
    assertThat(commands).doesNotContain(new CoreCommand.ReleaseTopicPeer(late));
  }

  // ------------------------------------------------------------------ the extended circle

  private static String member(int n) {
    return "/grapevine/1/id/member" + n;
  }

  private void provide(int peer, String topic) {
    others.get(peer(peer)).startProviding(TopicCid.providerKey(topic), now);
    pump();
  }

  private static RendezvousConfig config(int maxFollowedTopics, int maxCircleTopics) {
    RendezvousConfig d = RendezvousConfig.DEFAULT;
    return new RendezvousConfig(
        d.announceFollows(),
        d.targetTopicPeers(),
        d.checkIntervalNanos(),
        d.lookupBackoffNanos(),
        d.maxLookupBackoffNanos(),
        d.maxTopicPeersPerTopic(),
        maxFollowedTopics,
        maxCircleTopics);
  }

  /**
   * Circle topics have a budget of their own: with room for one followed topic, a circle topic
   * looked up first does not take it, and the followed topic is still looked up.
   */
  @Test
  void circleTopics_areLookedUpWithTheirOwnBudget_notTheFollowedTopics() {
    provide(4, member(1));
    provide(6, TOPIC);
    start(config(1, 32));
    join();

    rendezvous.circle(List.of(member(1)), now);
    pump();
    rendezvous.subscribed(TOPIC, false, now);
    pump();
    rendezvous.subscribed("/grapevine/1/id/second", false, now); // over the followed budget
    pump();

    assertThat(kept(member(1))).containsExactly(peer(4));
    assertThat(kept(TOPIC)).containsExactly(peer(6));
    assertThat(rendezvous.circleTopics()).isEqualTo(1);
    assertThat(rendezvous.circleTopicPeers()).isEqualTo(1);
    assertThat(rendezvous.topicPeers(TOPIC)).isEqualTo(1);
    assertThat(rendezvous.lookingUp("/grapevine/1/id/second")).isFalse();
  }

  /**
   * Only the first {@code maxCircleTopics} members are looked up, {@link
   * Rendezvous#MAX_CIRCLE_LOOKUPS} at a time: the others start as those end.
   */
  @Test
  void circleTopics_areCappedInNumber_andInLookupsAtOnce() {
    List<String> members = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      members.add(member(i));
      provide(i, member(i));
    }
    start(config(10_000, 6));
    join();

    rendezvous.circle(members, now);
    assertThat(members.stream().filter(rendezvous::lookingUp).count())
        .isEqualTo(Rendezvous.MAX_CIRCLE_LOOKUPS);
    pump();

    for (int i = 1; i <= 6; i++) {
      assertThat(kept(member(i))).as(member(i)).containsExactly(peer(i));
    }
    for (int i = 7; i <= 10; i++) {
      assertThat(kept(member(i))).as(member(i)).isEmpty();
      assertThat(rendezvous.circleTopic(member(i))).isFalse();
    }
    assertThat(rendezvous.circleTopics()).isEqualTo(6);

    // 0 turns it off: nothing is looked up.
    start(config(10_000, 0));
    join();
    commands.clear();
    rendezvous.circle(members, now);
    pump();
    assertThat(commands).noneMatch(c -> c instanceof CoreCommand.KeepTopicPeer);
    assertThat(rendezvous.circleTopics()).isZero();
  }

  /**
   * A circle topic needs one connected subscriber (sync needs one peer holding the log): it keeps
   * at most {@link Rendezvous#CIRCLE_PEERS} providers, and with one subscriber connected it is not
   * looked up again.
   */
  @Test
  void aCircleTopic_keepsFewPeers_andOneConnectedSubscriberIsEnough() {
    for (int p : new int[] {3, 9, 14, 21}) {
      provide(p, member(1));
    }
    start(RendezvousConfig.DEFAULT);
    join();

    rendezvous.circle(List.of(member(1)), now);
    pump();
    assertThat(kept(member(1))).hasSize(Rendezvous.CIRCLE_PEERS);

    subscribers.put(member(1), 1);
    for (int i = 0; i < 5; i++) {
      now += RendezvousConfig.DEFAULT.maxLookupBackoffNanos();
      rendezvous.timeout(now);
      assertThat(rendezvous.lookingUp(member(1))).isFalse();
      pump();
    }
    assertThat(kept(member(1))).hasSize(Rendezvous.CIRCLE_PEERS);
  }

  /** A member that leaves the circle releases its peers, except one another topic keeps. */
  @Test
  void aMemberLeavingTheCircle_releasesItsPeers_unlessAnotherTopicKeepsThem() {
    provide(5, member(1));
    provide(12, member(1));
    provide(12, member(2));
    start(RendezvousConfig.DEFAULT);
    join();
    rendezvous.circle(List.of(member(1), member(2)), now);
    pump();
    assertThat(kept(member(1))).containsExactlyInAnyOrder(peer(5), peer(12));
    assertThat(kept(member(2))).containsExactly(peer(12));

    commands.clear();
    rendezvous.circle(List.of(member(2)), now);
    pump();

    assertThat(commands)
        .contains(new CoreCommand.ReleaseTopicPeer(peer(5)))
        .doesNotContain(new CoreCommand.ReleaseTopicPeer(peer(12)));
    assertThat(rendezvous.circleTopic(member(1))).isFalse();
    assertThat(rendezvous.circleTopics()).isEqualTo(1);

    rendezvous.circle(List.of(), now);
    pump();
    assertThat(commands).contains(new CoreCommand.ReleaseTopicPeer(peer(12)));
    assertThat(rendezvous.circleTopicPeers()).isZero();
  }

  /**
   * A member we follow becomes a followed topic with its peers (not looked up twice, and announced
   * now as a follow is); after an unfollow the next circle brings it back.
   */
  @Test
  void aFollowedMember_becomesAFollowedTopic_andComesBackAfterAnUnfollow() {
    provide(7, member(1));
    start(RendezvousConfig.DEFAULT);
    join();
    rendezvous.circle(List.of(member(1)), now);
    pump();
    assertThat(kept(member(1))).containsExactly(peer(7));

    commands.clear();
    rendezvous.subscribed(member(1), false, now);
    pump();
    rendezvous.circle(List.of(member(1)), now); // a follow is left out of the circle's topics
    pump();
    assertThat(rendezvous.circleTopic(member(1))).isFalse();
    assertThat(rendezvous.circleTopics()).isZero();
    assertThat(rendezvous.topicPeers(member(1))).isEqualTo(1);
    assertThat(commands).noneMatch(c -> c instanceof CoreCommand.ReleaseTopicPeer);
    assertThat(rendezvous.dht().providedKeys()).isEqualTo(1); // announced as a follow

    rendezvous.unsubscribed(member(1), now);
    pump();
    assertThat(commands).contains(new CoreCommand.ReleaseTopicPeer(peer(7)));
    rendezvous.circle(List.of(member(1)), now);
    pump();
    assertThat(rendezvous.circleTopic(member(1))).isTrue();
  }

  /**
   * A member followed beyond the followed topics' budget is not looked up as a follow, nor as a
   * circle topic any more: its peers are released.
   */
  @Test
  void aMemberFollowedBeyondTheFollowedBudget_isDropped_andItsPeersReleased() {
    provide(7, member(1));
    start(config(1, 32));
    join();
    rendezvous.subscribed(TOPIC, false, now); // the only followed topic looked up
    rendezvous.circle(List.of(member(1)), now);
    pump();
    assertThat(kept(member(1))).containsExactly(peer(7));

    rendezvous.subscribed(member(1), false, now);
    pump();

    assertThat(commands).contains(new CoreCommand.ReleaseTopicPeer(peer(7)));
    assertThat(rendezvous.circleTopic(member(1))).isFalse();
    assertThat(rendezvous.topicPeers(member(1))).isZero();
  }

  /** Circle topics are never announced: a lookup by another node does not find us. */
  @Test
  void circleTopics_areNeverAnnounced() {
    start(RendezvousConfig.DEFAULT); // announce_follows on
    join();
    rendezvous.circle(List.of(member(1)), now);
    pump();
    assertThat(rendezvous.dht().providedKeys()).isZero();

    Dht asker = others.get(peer(23));
    asker.findProviders(TopicCid.providerKey(member(1)), 4, now);
    pump();
    assertThat(found.getOrDefault(peer(23), Set.of())).doesNotContain(self);
  }
}
