package org.grapevine.libp2p.observed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.observed.ObservedAddrs.Outcome;
import org.junit.jupiter.api.Test;

/** The confirmation rules of {@link ObservedAddrs}, in virtual time. */
class ObservedAddrsTest {
  private static final long MINUTE = 60_000_000_000L;
  private static final Multiaddr LISTEN = addr("/ip4/0.0.0.0/tcp/4001");
  private static final Multiaddr LOCAL_LISTEN = addr("/ip4/192.168.1.10/tcp/4001");
  private static final Multiaddr LOCAL_EPHEMERAL = addr("/ip4/192.168.1.10/tcp/53111");
  private static final Multiaddr OURS = addr("/ip4/11.22.33.44/tcp/4001");

  private final ObservedAddrs observed = new ObservedAddrs(ObservedAddrsConfig.defaults());

  ObservedAddrsTest() {
    observed.setListenAddrs(List.of(LISTEN));
  }

  private static Multiaddr addr(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private Outcome observe(String observerIp, Multiaddr seen, long now) {
    return observed.handleObservation(
        addr("/ip4/" + observerIp + "/tcp/4001"), LOCAL_LISTEN, seen, now);
  }

  @Test
  void handleObservation_threeNetworks_notConfirmedUntilFourth() {
    assertThat(observe("12.1.0.1", OURS, 0)).isEqualTo(Outcome.RECORDED_PUBLIC);
    observe("13.1.0.1", OURS, 1);
    observe("14.1.0.1", OURS, 2);
    assertThat(observed.confirmed(3)).isEmpty();
    assertThat(observed.unconfirmed(3)).containsEntry(OURS, 3);

    observe("15.1.0.1", OURS, 4);

    assertThat(observed.confirmed(5)).containsExactly(OURS);
  }

  @Test
  void handleObservation_manyPeersInOneSlash16_countOnce() {
    for (int i = 1; i <= 20; i++) {
      observe("12.1." + i + ".1", OURS, i);
    }
    observe("13.1.0.1", OURS, 30);
    observe("14.1.0.1", OURS, 31);

    assertThat(observed.confirmed(32)).isEmpty();
    assertThat(observed.unconfirmed(32)).containsEntry(OURS, 3);
  }

  @Test
  void handleObservation_ipv6ObserversInOneSlash48_countOnce() {
    observed.setListenAddrs(List.of(addr("/ip6/::/tcp/4001")));
    Multiaddr ours6 = addr("/ip6/2a01:1111::5/tcp/4001");
    Multiaddr local6 = addr("/ip6/2a01:1111::5/tcp/4001");
    String[] sameSite = {"2a02:2222:3333:1::1", "2a02:2222:3333:2::1", "2a02:2222:3333:ffff::1"};
    for (String ip : sameSite) {
      observed.handleObservation(addr("/ip6/" + ip + "/tcp/1"), local6, ours6, 1);
    }
    observed.handleObservation(addr("/ip6/2a02:2222:4444::1/tcp/1"), local6, ours6, 2);
    observed.handleObservation(addr("/ip6/2a03::1/tcp/1"), local6, ours6, 3);
    assertThat(observed.confirmed(4)).isEmpty();

    observed.handleObservation(addr("/ip6/2a04::1/tcp/1"), local6, ours6, 5);

    assertThat(observed.confirmed(6)).containsExactly(ours6);
  }

  @Test
  void handleObservation_loopbackAndPrivate_keptApartAndNeverConfirm() {
    Multiaddr lan = addr("/ip4/192.168.1.10/tcp/4001");
    Multiaddr loop = addr("/ip4/127.0.0.1/tcp/4001");
    for (int i = 0; i < 6; i++) {
      assertThat(observe((12 + i) + ".0.0.1", lan, i)).isEqualTo(Outcome.RECORDED_LAN);
      observed.handleObservation(addr("/ip4/127.0.0.1/tcp/9"), LOCAL_LISTEN, loop, i);
    }

    assertThat(observed.confirmed(10)).isEmpty();
    assertThat(observed.lanAddrs(10)).containsExactlyInAnyOrder(lan, loop);
  }

  @Test
  void handleObservation_publicAddrFromPrivateObserver_ignored() {
    for (int i = 0; i < 6; i++) {
      assertThat(observe("10.0." + i + ".1", OURS, i))
          .isEqualTo(Outcome.IGNORED_UNTRUSTED_OBSERVER);
    }
    assertThat(observed.confirmed(10)).isEmpty();
    assertThat(observed.count(Outcome.IGNORED_UNTRUSTED_OBSERVER)).isEqualTo(6);
  }

  @Test
  void handleObservation_ephemeralLocalPort_pairsObservedIpWithListenPort() {
    Multiaddr natMapped = addr("/ip4/11.22.33.44/tcp/61234");
    for (int i = 0; i < 4; i++) {
      observed.handleObservation(
          addr("/ip4/" + (12 + i) + ".0.0.1/tcp/4001"), LOCAL_EPHEMERAL, natMapped, i);
    }
    assertThat(observed.confirmed(5)).containsExactly(OURS);
  }

  @Test
  void handleObservation_ephemeralPortWithoutListenAddrs_ignored() {
    observed.setListenAddrs(List.of());
    assertThat(observe("12.0.0.1", OURS, 0)).isEqualTo(Outcome.IGNORED_UNUSABLE);
  }

  @Test
  void handleObservation_unusableOrReserved_ignored() {
    assertThat(observe("12.0.0.1", addr("/ip4/11.22.33.44/udp/4001"), 0))
        .isEqualTo(Outcome.IGNORED_UNUSABLE);
    assertThat(observe("12.0.0.1", addr("/ip4/192.0.2.1/tcp/4001"), 0))
        .isEqualTo(Outcome.IGNORED_UNUSABLE);
    assertThat(observe("12.0.0.1", addr("/dns4/example.com/tcp/4001"), 0))
        .isEqualTo(Outcome.IGNORED_UNUSABLE);
  }

  @Test
  void confirmed_observersSilentForAWindow_expireOneByOne() {
    observe("12.0.0.1", OURS, 0);
    observe("13.0.0.1", OURS, 10 * MINUTE);
    observe("14.0.0.1", OURS, 10 * MINUTE);
    observe("15.0.0.1", OURS, 10 * MINUTE);
    assertThat(observed.confirmed(29 * MINUTE)).containsExactly(OURS);

    assertThat(observed.confirmed(30 * MINUTE)).isEmpty();
    assertThat(observed.unconfirmed(30 * MINUTE)).containsEntry(OURS, 3);
    assertThat(observed.unconfirmed(41 * MINUTE)).isEmpty();
  }

  @Test
  void handleObservation_refreshedByTheSameNetwork_staysConfirmed() {
    for (long t = 0; t < 120 * MINUTE; t += 10 * MINUTE) {
      for (int i = 0; i < 4; i++) {
        observe((12 + i) + ".0.0.1", OURS, t);
      }
    }
    assertThat(observed.confirmed(125 * MINUTE)).containsExactly(OURS);
  }

  @Test
  void handleObservation_moreAddrsThanTheBound_evictsTheLeastRecent() {
    ObservedAddrs small = new ObservedAddrs(new ObservedAddrsConfig(1, 30 * MINUTE, 3, 4, 2));
    small.setListenAddrs(List.of(LISTEN));
    for (int i = 1; i <= 5; i++) {
      small.handleObservation(
          addr("/ip4/12.0.0.1/tcp/1"), LOCAL_LISTEN, addr("/ip4/11.0.0." + i + "/tcp/4001"), i);
    }
    assertThat(small.confirmed(6))
        .containsExactlyInAnyOrder(
            addr("/ip4/11.0.0.3/tcp/4001"),
            addr("/ip4/11.0.0.4/tcp/4001"),
            addr("/ip4/11.0.0.5/tcp/4001"));
  }

  @Test
  void withActivationThreshold_one_confirmsOnFirstObservation() {
    ObservedAddrs one =
        new ObservedAddrs(ObservedAddrsConfig.defaults().withActivationThreshold(1));
    one.setListenAddrs(List.of(LISTEN));
    one.handleObservation(addr("/ip4/12.0.0.1/tcp/1"), LOCAL_LISTEN, OURS, 0);
    assertThat(one.confirmed(1)).containsExactly(OURS);
  }
}
