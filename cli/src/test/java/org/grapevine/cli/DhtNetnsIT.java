package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.testing.RoutedNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's scenario with real {@code ./grapevine} processes on four networks joined by a router
 * ({@link RoutedNetwork}), no mDNS: what {@code RendezvousIT} shows in one JVM, here as people run
 * it. A is on 203.0.113.0/24 (public by the node's rule), so {@code [dht] mode = auto} makes it a
 * DHT server by itself; B, C and D are each on a private 10.213.x.0/24 (auto: client) and know only
 * A ({@code --bootstrap}). C follows B, whom it never met: the DHT leads C to B, and C gets B's
 * history, then B's live post. B stops; D follows B and gets all three from C, which announced B's
 * topic. Prints the time from {@code follow} to the first post for C (author never met) and D
 * (author offline); asserts no time.
 *
 * <p>Needs root and iproute2; without them the test is skipped, except with {@code CI=true}, where
 * it fails. Every process and namespace is removed at the end, also after a failure.
 */
@Timeout(300)
class DhtNetnsIT {
  private static final int A_PORT = 4001;

  @RegisterExtension
  final NetnsLab lab = new NetnsLab("gvr", "the DHT netns test", "root and iproute2");

  private NetnsCli cli;
  private RoutedNetwork net;

  @BeforeEach
  void lab() {
    cli = lab.cli();
    net = lab.net();
  }

  @Test
  void followANeverMetIdentityAcrossRoutedNetworks_thenGetItFromAnotherFollowerWhenItIsGone()
      throws Exception {
    String nsA = net.network("a", "203.0.113");
    String nsB = net.network("b", "10.213.2");
    String nsC = net.network("c", "10.213.3");
    String nsD = net.network("d", "10.213.4");

    NetnsCli.Proc a = cli.run(nsA, "a", "--port", Integer.toString(A_PORT));
    String aPeer = a.peerId();
    String boot = "/ip4/203.0.113.2/tcp/" + A_PORT + "/p2p/" + aPeer;
    a.awaitLine("listening: " + boot);
    NetnsCli.Proc b = cli.run(nsB, "b", "--bootstrap", boot);
    NetnsCli.Proc c = cli.run(nsC, "c", "--bootstrap", boot);
    String bobId = b.identity();
    String bPeer = b.peerId();
    String cPeer = c.peerId();
    b.awaitLine("api:");
    c.awaitLine("api:");

    cli.ok(nsB, "b", "post", "bob's first");
    cli.ok(nsB, "b", "post", "bob's second");
    // B (a client: it serves nothing) announced its own topic to A, the only DHT server.
    cli.awaitProvider(nsC, bobId, boot, bPeer);
    assertThat(cli.connected(nsC, "c")).as("c never dialled b").doesNotContain(bPeer);

    NetnsCli.Proc cTimeline = cli.watchTimeline(nsC, "c");
    long cFollowed = System.nanoTime();
    cli.ok(nsC, "c", "follow", bobId);
    long cFirst = cTimeline.awaitLine("", "bob's first").nanos() - cFollowed;
    cTimeline.awaitLine("", "bob's second");
    assertThat(cli.connected(nsC, "c")).as("c found b through the DHT").contains(bPeer);

    cli.ok(nsB, "b", "post", "bob's third, live");
    cTimeline.awaitLine("", "bob's third, live");

    JsonNode statusA = cli.json(nsA, "a", "status", "--json");
    assertThat(statusA.path("dht").path("mode").asText())
        .as("a on 203.0.113.2 (public) runs the DHT as a server in auto mode: %s", statusA)
        .isEqualTo("server");
    JsonNode statusC = cli.json(nsC, "c", "status", "--json");
    assertThat(statusC.path("dht").path("mode").asText())
        .as("c on 10.213.3.2 (private) runs the DHT as a client in auto mode: %s", statusC)
        .isEqualTo("client");
    JsonNode topic = null;
    for (JsonNode t : statusC.path("dht").path("topics")) {
      if (t.path("identity").asText().equals(bobId)) {
        topic = t;
      }
    }
    assertThat(topic).as("c's dht.topics has bob: %s", statusC).isNotNull();
    assertThat(topic.path("topic_peers").asInt())
        .as("c keeps a topic peer of bob found in the DHT: %s", statusC)
        .isGreaterThanOrEqualTo(1);
    assertThat(topic.path("connected").asInt())
        .as("c is connected to a subscriber of bob's topic: %s", statusC)
        .isGreaterThanOrEqualTo(1);

    // C announces the topics it follows (announce_follows): A now names C for bob too.
    cli.awaitProvider(nsB, bobId, boot, cPeer);
    NetnsCli.stop(b.process);
    assertThat(cli.dir("b").resolve("api.endpoint")).as("b stopped cleanly").doesNotExist();

    NetnsCli.Proc d = cli.run(nsD, "d", "--bootstrap", boot);
    d.awaitLine("api:");
    NetnsCli.Proc dTimeline = cli.watchTimeline(nsD, "d");
    long dFollowed = System.nanoTime();
    cli.ok(nsD, "d", "follow", bobId);
    long dFirst = dTimeline.awaitLine("", "bob's first").nanos() - dFollowed;
    dTimeline.awaitLine("", "bob's third, live");
    assertThat(cli.connected(nsD, "d")).as("d found c through the DHT").contains(cPeer);
    List<String> texts = new ArrayList<>();
    for (JsonNode e : cli.json(nsD, "d", "timeline", "--json").path("entries")) {
      if (e.path("identity").asText().equals(bobId)) {
        texts.add(0, e.path("content").path("text").asText());
      }
    }
    assertThat(texts).containsExactly("bob's first", "bob's second", "bob's third, live");

    System.out.printf(
        "DhtNetnsIT: follow to the first post: c (author never met) %.0f ms, d (author offline)"
            + " %.0f ms (each includes a `grapevine follow` process start)%n",
        cFirst / 1e6, dFirst / 1e6);
  }
}
