package org.grapevine.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Host#dialHolePunch} on 127.0.0.1: the dial leaves from the listening port (what makes a
 * NAT's mapping match the observed address) and takes the upgrade role it is given; listening with
 * SO_REUSEPORT still refuses a second host on a fixed port. The simultaneous open itself, through
 * real NATs, is {@code HolePunchNetnsIT}'s.
 */
@Timeout(60)
class HolePunchDialIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void closeHosts() {
    hosts.forEach(Host::close);
  }

  private Host host(String listen) throws IOException {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen(listen)
                .inboundRate(1000, 1000)
                .build());
    hosts.add(h);
    h.start();
    return h;
  }

  private static Multiaddr addr(Host h) {
    return h.listenAddrs().get(0).withPeerId(h.peerId());
  }

  @Test
  void dialHolePunch_leavesFromTheListeningPort_initiatorLeadsTheUpgrade() throws Exception {
    Host a = host("/ip4/127.0.0.1/tcp/0");
    Host b = host("/ip4/127.0.0.1/tcp/0");
    Connection fromA = a.dialHolePunch(addr(b), true).get(10, TimeUnit.SECONDS);
    assertThat(fromA.remotePeer()).isEqualTo(b.peerId());
    assertThat(fromA.direction()).isEqualTo(Connection.Direction.OUTBOUND);
    assertThat(fromA.localAddr().tcpSocketAddress().orElseThrow().getPort())
        .isEqualTo(a.listenAddrs().get(0).tcpSocketAddress().orElseThrow().getPort());
    Connection atB = awaitConnection(b, a);
    assertThat(atB.remoteAddr()).isEqualTo(a.listenAddrs().get(0));
    assertThat(a.ping(fromA).get(10, TimeUnit.SECONDS)).isPositive();
  }

  @Test
  void dialHolePunch_toAConnectedPeer_makesASecondConnection() throws Exception {
    Host a = host("/ip4/127.0.0.1/tcp/0");
    Host b = host("/ip4/127.0.0.1/tcp/0");
    Connection first = a.dial(addr(b)).get(10, TimeUnit.SECONDS);
    Connection punched = a.dialHolePunch(addr(b), true).get(10, TimeUnit.SECONDS);
    assertThat(punched).isNotSameAs(first);
    assertThat(a.connections(b.peerId())).hasSize(2);
  }

  @Test
  void fixedPortAlreadyListenedOn_secondHostRefused_asWithoutReusePort() throws Exception {
    Host a = host("/ip4/127.0.0.1/tcp/0");
    int port = a.listenAddrs().get(0).tcpSocketAddress().orElseThrow().getPort();
    assertThatThrownBy(() -> host("/ip4/127.0.0.1/tcp/" + port))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot listen on /ip4/127.0.0.1/tcp/" + port)
        .hasMessageContaining("in use");
  }

  @Test
  void dialHolePunch_toAnAddressWithoutTcp_failsSayingWhy() throws Exception {
    Host a = host("/ip4/127.0.0.1/tcp/0");
    assertThatThrownBy(
            () ->
                a.dialHolePunch(Multiaddr.parse("/ip4/127.0.0.1/udp/4001"), true)
                    .get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class)
        .hasMessageContaining("needs an /ip4 or /ip6 /tcp address");
  }

  private static Connection awaitConnection(Host at, Host from) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<Connection> cs = at.connections(from.peerId());
      if (!cs.isEmpty()) {
        return cs.get(0);
      }
      Thread.sleep(10);
    }
    throw new AssertionError(at.peerId() + " never saw a connection from " + from.peerId());
  }
}
