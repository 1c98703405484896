package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadPeerInfo;
import org.grapevine.libp2p.kad.KadRecord;
import org.grapevine.libp2p.kad.PkRecords;
import org.grapevine.libp2p.kad.netty.KadClient;
import org.grapevine.libp2p.kad.netty.KadStreamConfig;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.metrics.MetricFamily;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node in DHT server mode against a misbehaving libp2p peer over real TCP: a flood of
 * ADD_PROVIDERs for thousands of keys with forged providers, a /pk/ record that does not validate,
 * an oversize frame. Each is refused and counted in the node's metrics, the peer's connection is
 * closed after repeated protocol faults, and the node goes on answering an honest peer.
 */
@Timeout(90)
class DhtBadInputIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final KadClient client =
      new KadClient(KadStreamConfig.defaults(), ByteBufAllocator.DEFAULT);
  private final List<Host> hosts = new ArrayList<>();
  private Node node;

  @AfterEach
  void close() {
    hosts.forEach(Host::close);
    if (node != null) {
      node.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Host host() throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .build(),
            group);
    h.start();
    hosts.add(h);
    return h;
  }

  private KadPeer target() {
    return new KadPeer(node.host().peerId(), node.host().listenAddrs());
  }

  private long metric(String family, String label, String value) {
    for (MetricFamily f : node.metrics().snapshot()) {
      if (f.name().equals(family)) {
        return f.samples().stream()
            .filter(s -> value.equals(s.labels().get(label)))
            .mapToLong(MetricFamily.Sample::value)
            .sum();
      }
    }
    return 0;
  }

  private void awaitMetric(String family, String label, String value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (metric(family, label, value) == 0) {
      assertThat(System.nanoTime()).as(family + "{" + value + "}").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static byte[] key(int i) {
    byte[] k = new byte[34];
    k[0] = 0x12;
    k[1] = 0x20;
    k[2] = (byte) i;
    k[3] = (byte) (i >> 8);
    return k;
  }

  @Test
  void floodForgedProvidersBadRecordAndOversize_refusedCounted_andTheNodeKeepsServing()
      throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    node =
        NodeLauncher.of(
                NodeConfig.loopback()
                    .withDht(new NodeConfig.Dht(NodeConfig.DhtMode.SERVER, 4, true)),
                dir.resolve("a"),
                new DataDir.Keys(
                    alice.identity,
                    alice.root,
                    alice.deviceKey("laptop"),
                    PrivKey.generate(new SecureRandom())),
                group)
            .start();

    // 1. Thousands of keys, each listing a forged provider beside the sender.
    Host flooder = host();
    PeerId stranger = PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
    List<CompletableFuture<KadMessage>> sent = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      KadMessage add =
          new KadMessage(
              KadMessageType.ADD_PROVIDER,
              key(i),
              null,
              List.of(),
              List.of(
                  KadPeerInfo.of(flooder.peerId(), flooder.listenAddrs()),
                  KadPeerInfo.of(stranger, List.of())));
      sent.add(client.request(flooder, target(), add, false, Duration.ofSeconds(10)));
      if (sent.size() == 16) { // Within the 32 inbound streams a connection may hold.
        for (CompletableFuture<KadMessage> f : sent) {
          f.handle((m, e) -> null).get(30, TimeUnit.SECONDS); // Refused ones fail: fine.
        }
        sent.clear();
      }
    }
    awaitMetric("grapevine_dht_total", "counter", "refused_rate_limited");
    awaitMetric("grapevine_dht_total", "counter", "refused_forged_provider");

    // 2. A /pk/ record whose value is not the key's public key.
    Host other = host();
    PeerId someone = PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
    byte[] pkKey = PkRecords.key(someone);
    KadMessage put =
        new KadMessage(
            KadMessageType.PUT_VALUE,
            pkKey,
            new KadRecord(pkKey, new byte[] {1, 2, 3}, ""),
            List.of(),
            List.of());
    client.request(other, target(), put, true, Duration.ofSeconds(10)).handle((m, e) -> null).get();
    awaitMetric("grapevine_dht_total", "counter", "refused_invalid_record");

    // 3. Oversize frames, three times: counted, and the connection closed after the third.
    for (int i = 0; i < 3; i++) {
      var stream =
          other
              .newStream(other.connections(node.host().peerId()).get(0), List.of("/ipfs/kad/1.0.0"))
              .get(10, TimeUnit.SECONDS)
              .stream();
      ByteBuf prefix = Unpooled.buffer();
      Varint.write(prefix, KadCodec.DEFAULT_MAX_MESSAGE_BYTES + 1);
      stream.write(prefix);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (metric("grapevine_dht_inbound_total", "outcome", "oversize") < i + 1) {
        assertThat(System.nanoTime()).as("oversize frame " + (i + 1)).isLessThan(deadline);
        Thread.sleep(20);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!other.connections(node.host().peerId()).isEmpty()) {
      assertThat(System.nanoTime()).as("faulty peer disconnected").isLessThan(deadline);
      Thread.sleep(20);
    }

    // 4. An honest peer is answered.
    Host honest = host();
    KadMessage answer =
        client
            .request(
                honest,
                target(),
                KadMessage.request(KadMessageType.FIND_NODE, honest.peerId().toBytes()),
                true,
                Duration.ofSeconds(10))
            .get(20, TimeUnit.SECONDS);
    assertThat(answer.type()).isEqualTo(KadMessageType.FIND_NODE);
  }
}
