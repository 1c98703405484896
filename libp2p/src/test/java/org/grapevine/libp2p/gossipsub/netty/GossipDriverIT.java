package org.grapevine.libp2p.gossipsub.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GossipSub between real hosts over TCP on 127.0.0.1. */
@Timeout(60)
class GossipDriverIT {
  private static final String TOPIC = "grapevine-test";
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<Host> hosts = new ArrayList<>();
  private final List<GossipDriver> drivers = new ArrayList<>();

  @AfterEach
  void close() {
    drivers.forEach(GossipDriver::close);
    hosts.forEach(Host::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /**
   * A host with a driver; its received messages go to {@code inbox}, validated by {@code verdict}.
   */
  private GossipDriver node(BlockingQueue<GossipEvent.MessageReceived> inbox, Acceptance verdict)
      throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .build(),
            group);
    hosts.add(h);
    h.start();
    GossipDriver d =
        new GossipDriver(
            h,
            GossipConfig.builder()
                .heartbeatIntervalNanos(Duration.ofMillis(100).toNanos())
                .heartbeatInitialDelayNanos(Duration.ofMillis(100).toNanos())
                .build(),
            new SplittableRandom(hosts.size()),
            group.next());
    drivers.add(d);
    d.setMessageHandler(
        (m, v) -> {
          inbox.add(m);
          v.accept(verdict);
        });
    d.start();
    d.subscribe(TOPIC).get(5, TimeUnit.SECONDS);
    return d;
  }

  private void connect(int from, int to) throws Exception {
    Host a = hosts.get(from);
    Host b = hosts.get(to);
    a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).get(10, TimeUnit.SECONDS);
  }

  private static void awaitMesh(GossipDriver d, PeerId peer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!d.meshPeers(TOPIC).get(5, TimeUnit.SECONDS).contains(peer)) {
      assertThat(System.nanoTime()).as("mesh with " + peer).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void line_messagePublishedAtOneEnd_relayedToTheOtherOnce() throws Exception {
    BlockingQueue<GossipEvent.MessageReceived> a = new LinkedBlockingQueue<>();
    BlockingQueue<GossipEvent.MessageReceived> b = new LinkedBlockingQueue<>();
    BlockingQueue<GossipEvent.MessageReceived> c = new LinkedBlockingQueue<>();
    GossipDriver da = node(a, Acceptance.ACCEPT);
    GossipDriver db = node(b, Acceptance.ACCEPT);
    GossipDriver dc = node(c, Acceptance.ACCEPT);
    connect(0, 1);
    connect(2, 1);
    awaitMesh(db, hosts.get(0).peerId());
    awaitMesh(db, hosts.get(2).peerId());

    GossipDriver.Published sent =
        da.publish(TOPIC, "hello from a".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(sent.peers()).isEqualTo(1);
    GossipEvent.MessageReceived atC = c.poll(10, TimeUnit.SECONDS);
    assertThat(atC).isNotNull();
    assertThat(new String(atC.data(), StandardCharsets.UTF_8)).isEqualTo("hello from a");
    assertThat(atC.id()).isEqualTo(sent.id());
    assertThat(atC.from()).contains(hosts.get(0).peerId());
    assertThat(atC.source()).isEqualTo(hosts.get(1).peerId()); // Relayed by the middle node.
    assertThat(b.poll(5, TimeUnit.SECONDS)).isNotNull();

    dc.publish(TOPIC, "and back".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(new String(a.poll(10, TimeUnit.SECONDS).data(), StandardCharsets.UTF_8))
        .isEqualTo("and back");
    Thread.sleep(500); // Let any duplicate arrive: none may.
    assertThat(c).isEmpty();
    assertThat(a).isEmpty();
    assertThat(da.metrics().get(5, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void rejectedMessage_notForwardedByTheMiddleNode() throws Exception {
    BlockingQueue<GossipEvent.MessageReceived> a = new LinkedBlockingQueue<>();
    BlockingQueue<GossipEvent.MessageReceived> b = new LinkedBlockingQueue<>();
    BlockingQueue<GossipEvent.MessageReceived> c = new LinkedBlockingQueue<>();
    GossipDriver da = node(a, Acceptance.ACCEPT);
    GossipDriver db = node(b, Acceptance.REJECT); // The relay's application refuses everything.
    node(c, Acceptance.ACCEPT);
    connect(0, 1);
    connect(2, 1);
    awaitMesh(db, hosts.get(0).peerId());
    awaitMesh(db, hosts.get(2).peerId());
    da.publish(TOPIC, "spam".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(b.poll(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(c.poll(2, TimeUnit.SECONDS)).isNull();
    assertThat(db.metrics().get(5, TimeUnit.SECONDS)).isNotNull();
  }
}
