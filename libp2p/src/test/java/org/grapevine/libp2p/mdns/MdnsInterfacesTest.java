package org.grapevine.libp2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.grapevine.libp2p.mdns.MdnsInterfaces.Candidate;
import org.junit.jupiter.api.Test;

class MdnsInterfacesTest {
  private static Candidate<String> lan(String name) {
    return new Candidate<>(name, true, true, false, true);
  }

  private static Candidate<String> lo(boolean multicast) {
    return new Candidate<>("lo", true, multicast, true, true);
  }

  @Test
  void choose_lanInterfacePresent_takesItAndLeavesLoopbackOut() {
    assertThat(MdnsInterfaces.choose(List.of(lo(true), lan("wlan0"), lan("eth0"))))
        .containsExactly("wlan0", "eth0");
  }

  @Test
  void choose_onlyMulticastLoopback_fallsBackToLoopback() {
    // A network namespace with only lo and `ip link set lo multicast on`, or a laptop off the
    // network (macOS lo0).
    assertThat(MdnsInterfaces.choose(List.of(lo(true)))).containsExactly("lo");
  }

  @Test
  void choose_loopbackWithoutMulticast_choosesNothing() {
    // Linux's lo by default: multicast cannot be sent there.
    assertThat(MdnsInterfaces.choose(List.of(lo(false)))).isEmpty();
  }

  @Test
  void choose_lanInterfacesThatCannotServe_areSkippedAndLoopbackServes() {
    List<Candidate<String>> unusable =
        List.of(
            new Candidate<>("down0", false, true, false, true),
            new Candidate<>("nomc0", true, false, false, true),
            new Candidate<>("v6only0", true, true, false, false));
    assertThat(MdnsInterfaces.choose(unusable)).isEmpty();
    assertThat(
            MdnsInterfaces.choose(
                List.of(unusable.get(0), unusable.get(1), unusable.get(2), lo(true))))
        .containsExactly("lo");
  }
}
