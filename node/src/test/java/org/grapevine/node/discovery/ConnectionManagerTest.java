package org.grapevine.node.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** The connection manager with time as data: no sockets, no clock, fixed seeds. */
class ConnectionManagerTest {
  private static final long S = 1_000_000_000L;
  private static final PeerId SELF = peer(0);

  private static PeerId peer(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[1] = (byte) (n >> 8);
    return PeerId.fromPubKey(PrivKey.fromSeed(seed).publicKey());
  }

  private static Multiaddr addr(int n) {
    try {
      return Multiaddr.parse("/ip4/10.0." + (n >> 8) + "." + (n & 0xFF) + "/tcp/4001");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static DiscoveryConfig.Builder config() {
    return DiscoveryConfig.builder()
        .mdns(false)
        .connections(2, 3)
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(60))
        .maxDialFailures(4);
  }

  private static ConnectionManager manager(DiscoveryConfig config) {
    return new ConnectionManager(config, SELF, new SplittableRandom(42));
  }

  private static List<ConnectionCommand> drain(ConnectionManager m) {
    List<ConnectionCommand> out = new ArrayList<>();
    for (Optional<ConnectionCommand> c = m.pollCommand(); c.isPresent(); c = m.pollCommand()) {
      out.add(c.get());
    }
    return out;
  }

  private static List<PeerId> dialed(List<ConnectionCommand> commands) {
    return commands.stream()
        .filter(c -> c instanceof ConnectionCommand.Dial)
        .map(c -> ((ConnectionCommand.Dial) c).peer())
        .toList();
  }

  @Test
  void handleDialFailed_backoffDoublesWithJitter_andIsCapped() {
    ConnectionManager m = manager(config().connections(1, 3).maxDialFailures(100).build());
    m.handleDiscovered(peer(1), List.of(addr(1)), PeerSource.MDNS, 0);
    assertThat(dialed(drain(m))).containsExactly(peer(1));

    long now = 0;
    List<Long> delays = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      m.handleDialFailed(peer(1), now);
      assertThat(drain(m)).isEmpty();
      long at = m.pollTimeout().getAsLong();
      delays.add(at - now);
      m.handleTimeout(at - 1);
      assertThat(drain(m)).as("not before the backoff").isEmpty();
      now = at;
      m.handleTimeout(now);
      assertThat(dialed(drain(m))).containsExactly(peer(1));
    }

    long[] ceilings = {1, 2, 4, 8, 16, 32, 60, 60, 60, 60};
    for (int i = 0; i < delays.size(); i++) {
      assertThat(delays.get(i))
          .as("delay after %d failures", i + 1)
          .isBetween(ceilings[i] * S / 2, ceilings[i] * S);
    }
    assertThat(m.failures(peer(1))).isEqualTo(10);
  }

  @Test
  void backoff_sameSeed_sameSchedule() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));
    List<Long> one = new ArrayList<>();
    List<Long> two = new ArrayList<>();
    SplittableRandom r1 = new SplittableRandom(7);
    SplittableRandom r2 = new SplittableRandom(7);
    for (int f = 1; f < 70; f++) {
      one.add(b.delayNanos(f, r1));
      two.add(b.delayNanos(f, r2));
    }
    assertThat(one).isEqualTo(two);
    assertThat(b.ceilingNanos(1)).isEqualTo(500_000_000L);
    assertThat(b.ceilingNanos(3)).isEqualTo(2_000_000_000L);
    assertThat(b.ceilingNanos(69)).isEqualTo(10_000_000_000L);
  }

  @Test
  void dial_belowTarget_dialsUpToTarget_bootstrapFirst() {
    Multiaddr boot = addr(9).withPeerId(peer(9));
    ConnectionManager m = manager(config().bootstrap(List.of(boot.toString())).build());
    for (int i = 1; i <= 4; i++) {
      m.handleDiscovered(peer(i), List.of(addr(i)), PeerSource.MDNS, 0);
    }

    List<ConnectionCommand> commands = drain(m);

    assertThat(dialed(commands)).hasSize(2).first().isEqualTo(peer(9));
    assertThat(commands.get(0)).isEqualTo(new ConnectionCommand.Dial(peer(9), List.of(addr(9))));
    assertThat(m.pollTimeout()).isEmpty(); // Target reached by the dials in flight.
  }

  @Test
  void handleConnected_atTarget_noMoreDials_andOverMaxInboundIsClosed() {
    ConnectionManager m = manager(config().build()); // target 2, max 3
    for (int i = 1; i <= 6; i++) {
      m.handleDiscovered(peer(i), List.of(addr(i)), PeerSource.MDNS, 0);
    }
    List<PeerId> first = dialed(drain(m));
    first.forEach(p -> m.handleConnected(p, true, 1));
    assertThat(drain(m).stream().filter(c -> c instanceof ConnectionCommand.Dial)).isEmpty();

    PeerId third = peer(100);
    PeerId fourth = peer(101);
    m.handleConnected(third, false, 2);
    assertThat(drain(m)).noneMatch(c -> c instanceof ConnectionCommand.Close);
    m.handleConnected(fourth, false, 3);

    assertThat(drain(m)).containsExactly(new ConnectionCommand.Close(fourth));
    assertThat(m.connectedCount()).isEqualTo(3);
  }

  @Test
  void handleDisconnected_redialsAfterBaseDelay() {
    ConnectionManager m = manager(config().connections(1, 3).build());
    m.handleDiscovered(peer(1), List.of(addr(1)), PeerSource.MDNS, 0);
    drain(m);
    m.handleConnected(peer(1), true, 0);
    drain(m);

    m.handleDisconnected(peer(1), 10 * S);

    assertThat(drain(m)).isEmpty();
    long at = m.pollTimeout().getAsLong();
    assertThat(at - 10 * S).isBetween(S / 2, S);
    m.handleTimeout(at);
    assertThat(dialed(drain(m))).containsExactly(peer(1));
  }

  @Test
  void handleDialFailed_repeatedly_forgetsLearnedPeer_butNeverBootstrap() {
    Multiaddr boot = addr(9).withPeerId(peer(9));
    ConnectionManager m =
        manager(config().bootstrap(List.of(boot.toString())).maxDialFailures(3).build());
    m.restore(Map.of(peer(1), List.of(addr(1))), 0);
    List<ConnectionCommand> commands = drain(m);
    assertThat(dialed(commands)).containsExactlyInAnyOrder(peer(9), peer(1));

    long now = 0;
    for (int i = 0; i < 3; i++) {
      m.handleDialFailed(peer(1), now);
      m.handleDialFailed(peer(9), now);
      commands = drain(m);
      now += 200 * S;
      m.handleTimeout(now);
      commands.addAll(drain(m));
    }

    assertThat(commands).contains(new ConnectionCommand.ForgetPeer(peer(1)));
    assertThat(m.knownPeers()).containsExactly(peer(9));
    assertThat(m.failures(peer(9))).isEqualTo(3);
    assertThat(dialed(commands)).containsExactly(peer(9)); // Still dialed after the third failure.
  }

  @Test
  void restore_storedPeers_dialedAndNotSavedAgainUnlessAddressesChange() {
    ConnectionManager m = manager(config().build());

    m.restore(Map.of(peer(1), List.of(addr(1))), 0);
    assertThat(dialed(drain(m))).containsExactly(peer(1));
    m.handleConnected(peer(1), true, 1);
    assertThat(drain(m)).isEmpty(); // Stored with these addresses already.

    m.handleDiscovered(peer(1), List.of(addr(2)), PeerSource.IDENTIFY, 2);
    assertThat(drain(m))
        .contains(new ConnectionCommand.SavePeer(peer(1), List.of(addr(2), addr(1))));
  }

  @Test
  void handleConnected_inboundPeerThenIdentify_isSavedWithItsListenAddrs() {
    ConnectionManager m = manager(config().build());
    m.handleConnected(peer(1), false, 0);
    assertThat(drain(m)).isEmpty(); // No address to save yet.

    boolean isNew =
        m.handleDiscovered(
            peer(1),
            List.of(addr(1).withPeerId(peer(1)), addr(2).withPeerId(peer(2))),
            PeerSource.IDENTIFY,
            1);

    assertThat(isNew).isFalse();
    assertThat(drain(m)).containsExactly(new ConnectionCommand.SavePeer(peer(1), List.of(addr(1))));
  }

  @Test
  void handleDiscovered_unusableAddressesAndSelf_ignored() throws Exception {
    ConnectionManager m = manager(config().build());

    assertThat(m.handleDiscovered(SELF, List.of(addr(1)), PeerSource.MDNS, 0)).isFalse();
    m.handleDiscovered(
        peer(1),
        List.of(
            Multiaddr.parse("/ip4/0.0.0.0/tcp/5"),
            Multiaddr.parse("/dns4/x.org/tcp/5"),
            Multiaddr.parse("/ip4/10.0.0.1/tcp/0")),
        PeerSource.IDENTIFY,
        0);

    assertThat(m.addrs(peer(1))).isEmpty();
    assertThat(drain(m)).isEmpty(); // Nothing to dial.
    assertThat(m.pollTimeout()).isEmpty();
  }

  @Test
  void handleDiscovered_tableFull_evictsTheWorstUnconnectedPeer() {
    ConnectionManager m = manager(config().connections(0, 3).maxKnownPeers(3).build());
    m.restore(Map.of(peer(1), List.of(addr(1))), 0);
    m.handleDiscovered(peer(2), List.of(addr(2)), PeerSource.MDNS, 1);
    m.handleDiscovered(peer(3), List.of(addr(3)), PeerSource.MDNS, 2);
    m.handleConnected(peer(3), false, 3);
    drain(m);

    m.handleDiscovered(peer(4), List.of(addr(4)), PeerSource.MDNS, 4);

    assertThat(drain(m))
        .containsExactly(new ConnectionCommand.ForgetPeer(peer(1))); // Oldest, and persisted.
    assertThat(m.knownPeers()).containsExactlyInAnyOrder(peer(2), peer(3), peer(4));
  }

  @Test
  void handleTopicPeer_atTarget_stillDialled_upToMax_andRedialledAfterLoss() {
    ConnectionManager m = manager(config().build()); // target 2, max 3
    m.handleDiscovered(peer(1), List.of(addr(1)), PeerSource.MDNS, 0);
    m.handleDiscovered(peer(2), List.of(addr(2)), PeerSource.MDNS, 0);
    dialed(drain(m)).forEach(p -> m.handleConnected(p, true, 1));
    drain(m);

    assertThat(m.handleTopicPeer(peer(7), List.of(addr(7)), 2)).isTrue();
    assertThat(dialed(drain(m))).containsExactly(peer(7));
    m.handleConnected(peer(7), true, 3);
    drain(m);
    assertThat(m.connectedCount()).isEqualTo(3);

    // At the maximum, a fourth topic peer waits for room.
    m.handleTopicPeer(peer(8), List.of(addr(8)), 4);
    assertThat(dialed(drain(m))).isEmpty();

    m.handleDisconnected(peer(7), 10 * S);
    // Room for one: the waiting topic peer goes at once, the lost one after its backoff.
    assertThat(dialed(drain(m))).containsExactly(peer(8));
    m.handleDialFailed(peer(8), 10 * S + S / 4); // Before peer 7's backoff (0.5 to 1 s) ends.
    assertThat(dialed(drain(m))).isEmpty();
    long at = m.pollTimeout().getAsLong();
    m.handleTimeout(at);
    assertThat(dialed(drain(m))).containsExactly(peer(7));
  }

  @Test
  void handleTopicPeer_neverEvicted_untilReleased() {
    ConnectionManager m = manager(config().connections(0, 3).maxKnownPeers(2).build());
    m.handleTopicPeer(peer(1), List.of(addr(1)), 0);
    m.handleDialFailed(peer(1), 1); // Unconnected, with a failure: the eviction's first pick.
    m.handleDiscovered(peer(2), List.of(addr(2)), PeerSource.MDNS, 2);
    drain(m);

    m.handleDiscovered(peer(3), List.of(addr(3)), PeerSource.MDNS, 3);
    assertThat(m.knownPeers()).contains(peer(1)).doesNotContain(peer(2));
    assertThat(m.isTopicPeer(peer(1))).isTrue();

    m.handleTopicPeerReleased(peer(1));
    m.handleDiscovered(peer(4), List.of(addr(4)), PeerSource.MDNS, 4);
    assertThat(m.isTopicPeer(peer(1))).isFalse();
    assertThat(m.knownPeers()).doesNotContain(peer(1)).contains(peer(4));
  }

  @Test
  void dialOrder_sameSeed_sameOrder() {
    List<List<PeerId>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      ConnectionManager m = manager(config().connections(3, 5).build());
      for (int i = 1; i <= 20; i++) {
        m.handleDiscovered(peer(i), List.of(addr(i)), PeerSource.MDNS, 0);
      }
      m.handleTimeout(0);
      runs.add(dialed(drain(m)));
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1));
  }

  @Test
  void handleBootstrapResolved_peerBecomesBootstrap_dialedFirst_neverForgotten() {
    ConnectionManager m = manager(config().connections(1, 3).maxDialFailures(1).build());
    m.handleBootstrapResolved(
        peer(2), List.of(addr(2).withPeerId(peer(2)), addr(3).withPeerId(peer(3))), 0);
    List<ConnectionCommand> first = drain(m);
    assertThat(dialed(first)).containsExactly(peer(2));
    // Only the addresses of the peer itself are kept (a /p2p of another peer is dropped).
    assertThat(((ConnectionCommand.Dial) first.get(0)).addrs()).containsExactly(addr(2));
    m.handleDiscovered(peer(1), List.of(addr(1)), PeerSource.MDNS, 0);
    m.handleDialFailed(peer(2), 0);
    drain(m);
    assertThat(m.failures(peer(2))).as("a bootstrap peer outlives maxDialFailures").isEqualTo(1);
    assertThat(m.knownPeers()).contains(peer(2));
    m.handleBootstrapResolved(SELF, List.of(addr(4)), 0);
    assertThat(m.knownPeers()).doesNotContain(SELF);
  }

  @Test
  void config_bootstrapNames_splitFromAddresses() {
    String id = peer(1).toString();
    DiscoveryConfig c =
        DiscoveryConfig.builder()
            .bootstrap(
                List.of(
                    "/ip4/1.2.3.4/tcp/5/p2p/" + id,
                    "/dnsaddr/boot.example/p2p/" + id,
                    "/dnsaddr/boot.example",
                    "/dns4/boot.example/tcp/4001/p2p/" + id))
            .build();
    assertThat(c.bootstrapAddrs()).hasSize(1);
    assertThat(c.bootstrapNames()).hasSize(3);
    assertThatThrownBy(
            () ->
                DiscoveryConfig.builder()
                    .bootstrap(List.of("/dnsaddr/boot.example/tcp/4001"))
                    .build())
        .hasMessageContaining("/dnsaddr/<name>");
    assertThatThrownBy(
            () -> DiscoveryConfig.builder().bootstrap(List.of("/dns4/boot.example/tcp/1")).build())
        .hasMessageContaining("/p2p/");
  }

  @Test
  void config_badBootstrapOrLimits_rejectedWithTheReason() {
    assertThatThrownBy(
            () -> DiscoveryConfig.builder().bootstrap(List.of("/ip4/1.2.3.4/tcp/5")).build())
        .hasMessageContaining("/p2p/");
    assertThatThrownBy(() -> DiscoveryConfig.builder().bootstrap(List.of("hello")).build())
        .hasMessageContaining("not a multiaddr");
    assertThatThrownBy(() -> DiscoveryConfig.builder().connections(5, 4).build())
        .hasMessageContaining("target 5");
  }

  @Test
  void usable_circuitThroughAConcreteRelay_keptWithoutTarget_othersRefused() throws Exception {
    PeerId bob = peer(7);
    PeerId relay = peer(8);
    String via = "/ip4/203.0.113.2/tcp/4001/p2p/" + relay + "/p2p-circuit";
    assertThat(ConnectionManager.usable(bob, Multiaddr.parse(via))).contains(Multiaddr.parse(via));
    assertThat(ConnectionManager.usable(bob, Multiaddr.parse(via + "/p2p/" + bob)))
        .as("the target's /p2p is dropped, as for direct addresses")
        .contains(Multiaddr.parse(via));
    assertThat(ConnectionManager.usable(bob, Multiaddr.parse(via + "/p2p/" + peer(9))))
        .as("a circuit to someone else")
        .isEmpty();
    assertThat(
            ConnectionManager.usable(
                bob, Multiaddr.parse("/ip4/0.0.0.0/tcp/4001/p2p/" + relay + "/p2p-circuit")))
        .as("a relay at a wildcard address")
        .isEmpty();
    assertThat(
            ConnectionManager.usable(bob, Multiaddr.parse("/ip4/203.0.113.2/tcp/4001/p2p-circuit")))
        .as("a relay without its peer ID")
        .isEmpty();
    assertThat(
            ConnectionManager.usable(
                bob, Multiaddr.parse("/ip4/203.0.113.2/tcp/4001/p2p/" + bob + "/p2p-circuit")))
        .as("bob as his own relay")
        .isEmpty();
    assertThat(ConnectionManager.usable(bob, Multiaddr.parse("/ip4/192.0.2.1/tcp/4001/p2p/" + bob)))
        .contains(Multiaddr.parse("/ip4/192.0.2.1/tcp/4001"));
  }

  @Test
  void dial_directAddressesFirst_circuitsLast() throws Exception {
    ConnectionManager m = manager(config().build());
    PeerId bob = peer(7);
    Multiaddr circuit =
        Multiaddr.parse("/ip4/203.0.113.2/tcp/4001/p2p/" + peer(8) + "/p2p-circuit");
    m.handleTopicPeer(bob, List.of(circuit, addr(1)), 0);
    List<ConnectionCommand> dials = drain(m);
    assertThat(dials)
        .filteredOn(c -> c instanceof ConnectionCommand.Dial)
        .singleElement()
        .satisfies(
            c ->
                assertThat(((ConnectionCommand.Dial) c).addrs()).containsExactly(addr(1), circuit));
  }
}
