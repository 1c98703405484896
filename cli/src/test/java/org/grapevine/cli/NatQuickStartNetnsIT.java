package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.testing.RoutedNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's "the README's quick start works between two machines on different networks when one
 * address is public", with real {@code ./grapevine} processes typing the README's commands (quick
 * start, then "Inviting someone") on two machines made of network namespaces ({@link
 * RoutedNetwork}). Machine A is on 203.0.113.0/24, straight on the "internet" (public by the node's
 * rule: {@code [dht] mode = auto} makes it a DHT server). Machine B is on the private LAN
 * 192.168.77.0/24 behind its own home router, which masquerades to its WAN address 198.51.100.2
 * (nftables) and lets nothing in that B did not open; the test shows that a TCP connect from A to
 * B's node fails, at B's private address and at the router's WAN address, while B's node does
 * listen on its LAN.
 *
 * <p>The steps: each {@code init}s and {@code run}s a node (no mDNS, no public bootstrap peers:
 * there is no internet here); A posts, then prints {@code invite}; B follows A's invite: B's node
 * dials A, and B gets A's history and then a live post. B posts; A follows B's identity string
 * alone (A cannot dial B) and gets B's history and a live post.
 *
 * <p>Which path carries B's posts to A (checked in the nodes' debug logs, which the test keeps as
 * {@code cli/target/nat-a.log} and {@code nat-b.log}): the one connection B opened, which A holds
 * as inbound from 198.51.100.2, the NAT's address. Right after A's {@code follow}, A's node syncs
 * B's log over it ({@code sync with 12D3KooW...: 4 entries received}), and the live post comes by
 * GossipSub over it. Not the DHT: B, a DHT client, announced its topic to A (the record names B's
 * private address only, which the test shows), but A's routing table is empty (its only peer is a
 * client), so A's rendezvous looks nobody up, keeps no topic peer and dials nobody; the test
 * asserts that too. Prints the times from {@code follow} to the first post both ways; asserts no
 * time.
 *
 * <p>Needs root, iproute2 and nftables; without them the test is skipped, except with {@code
 * CI=true}, where it fails. Every process and namespace (with the nft tables in it) is removed at
 * the end, also after a failure.
 */
@Timeout(300)
class NatQuickStartNetnsIT {
  /** The README's API ports: Alice's node on machine A, Bob's on machine B. */
  private static final String A_API = "7321";

  private static final String B_API = "7322";

  private static final String B_LAN = "192.168.77.2";

  private static final String B_WAN = "198.51.100.2";

  @RegisterExtension
  final NetnsLab lab =
      new NetnsLab("gvn", "the NAT quick-start test", "root, iproute2 and nftables", "nft");

  private NetnsCli cli;
  private RoutedNetwork net;

  @BeforeEach
  void lab() {
    cli = lab.cli();
    net = lab.net();
  }

  @Test
  void quickStartWithAnInvite_fromBehindANatToAPublicAddress_bothWays() throws Exception {
    String nsA = net.network("a", "203.0.113");
    String nsB = net.natNetwork("b", "198.51.100", "192.168.77");
    String nsHome = lab.router() + "bgw";

    // 1. Each makes an identity.  2. Each starts a node.
    assertThat(cli.ok(nsA, "a", "init")).startsWith("identity:  gv1");
    assertThat(cli.ok(nsB, "b", "init")).startsWith("identity:  gv1");
    cli.logNodes("debug");
    NetnsCli.Proc a = cli.run(nsA, "a", "--api-port", A_API, "--no-bootstrap");
    NetnsCli.Proc b = cli.run(nsB, "b", "--api-port", B_API, "--no-bootstrap");
    lab.keepLog(a, "nat-a");
    lab.keepLog(b, "nat-b");
    String aPeer = a.peerId();
    String bPeer = b.peerId();
    String bobId = b.identity();
    String aAddr = a.awaitLine("listening: /ip4/203.0.113.2/tcp/").text().substring(11).strip();
    String bListen = b.awaitLine("listening: /ip4/" + B_LAN + "/tcp/").text();
    int bPort = Integer.parseInt(bListen.replaceAll(".*/tcp/([0-9]+)/.*", "$1"));
    a.awaitLine("api:");
    b.awaitLine("api:");

    // Nobody outside dials B: its node listens on its LAN, but not for A.
    assertThat(tcpConnects(nsHome, B_LAN, bPort)).as("b's node listens on its LAN").isTrue();
    assertThat(tcpConnects(nsA, B_LAN, bPort)).as("a reaches b's private address").isFalse();
    assertThat(tcpConnects(nsA, B_WAN, bPort)).as("a reaches b's home router").isFalse();

    cli.ok(nsA, "a", "post", "alice's first");
    String invite = cli.ok(nsA, "a", "invite").strip();
    assertThat(invite).startsWith("gvi1");
    assertThat(cli.json(nsA, "a", "invite", "--json").toString())
        .as("a's invite carries its public address")
        .contains("/ip4/203.0.113.2/tcp/");

    // 3. B follows A's invite: B's node dials A.
    NetnsCli.Proc bTimeline = cli.watchTimeline(nsB, "b");
    long bFollowed = System.nanoTime();
    String aliceId = a.identity();
    assertThat(cli.ok(nsB, "b", "follow", invite)).isEqualTo("following " + aliceId + "\n");
    long bFirst = bTimeline.awaitLine("", "alice's first").nanos() - bFollowed;
    cli.ok(nsA, "a", "post", "alice's second, live");
    bTimeline.awaitLine("", "alice's second, live");

    // 4. B posts; A follows B's identity string: no address, A could not dial one anyway.
    cli.ok(nsB, "b", "post", "bob's first");
    NetnsCli.Proc aTimeline = cli.watchTimeline(nsA, "a");
    long aFollowed = System.nanoTime();
    assertThat(cli.ok(nsA, "a", "follow", bobId)).isEqualTo("following " + bobId + "\n");
    long aFirst = aTimeline.awaitLine("", "bob's first").nanos() - aFollowed;
    cli.ok(nsB, "b", "post", "bob's second, live");
    aTimeline.awaitLine("", "bob's second, live");

    // Over the connection B opened: A holds it as inbound, from the NAT's address.
    JsonNode toB = null;
    for (JsonNode p : cli.json(nsA, "a", "peers", "--json").path("connected")) {
      if (p.path("peer_id").asText().equals(bPeer)) {
        toB = p;
      }
    }
    assertThat(toB).as("a is connected to b").isNotNull();
    assertThat(toB.path("direction").asText()).as("%s", toB).isEqualTo("inbound");
    assertThat(toB.path("address").asText()).as("%s", toB).startsWith("/ip4/" + B_WAN + "/tcp/");
    assertThat(cli.connected(nsB, "b")).containsExactly(aPeer);
    assertThat(texts(nsA, "a", bobId))
        .containsExactly("b is here", "bob's first", "bob's second, live");
    assertThat(texts(nsB, "b", aliceId))
        .containsExactly("alice's first", "alice's second, live", "a is here");

    // Not through the DHT: A (a server) has nobody in its routing table (B is a client), so it
    // looked nobody up, found no topic peer, and dialled nobody.
    JsonNode dhtA = cli.json(nsA, "a", "status", "--json").path("dht");
    assertThat(dhtA.path("mode").asText()).as("%s", dhtA).isEqualTo("server");
    assertThat(dhtA.path("routing_table").asInt()).as("%s", dhtA).isZero();
    JsonNode bobTopic = null;
    for (JsonNode t : dhtA.path("topics")) {
      if (t.path("identity").asText().equals(bobId)) {
        bobTopic = t;
      }
    }
    assertThat(bobTopic).as("a's dht.topics has bob: %s", dhtA).isNotNull();
    assertThat(bobTopic.path("topic_peers").asInt()).as("%s", bobTopic).isZero();
    assertThat(bobTopic.path("connected").asInt()).as("%s", bobTopic).isEqualTo(1);
    assertThat(Files.readString(a.stderr)).as("a's log").doesNotContain("dial " + bPeer);
    // B announced its topic to A all the same, with the only addresses it knows: private ones.
    JsonNode record = cli.awaitProvider(nsB, bobId, aAddr, bPeer);
    assertThat(record.path("addrs").toString())
        .as("b's provider record at a: %s", record)
        .contains("/ip4/" + B_LAN + "/tcp/" + bPort)
        .doesNotContain(B_WAN);

    System.out.printf(
        "NatQuickStartNetnsIT: follow to the first post: b (behind NAT) follows a's invite %.0f ms,"
            + " a (public) follows b's identity %.0f ms (each includes a `grapevine follow` process"
            + " start)%n",
        bFirst / 1e6, aFirst / 1e6);
  }

  /** The texts of {@code author}'s entries in node {@code who}'s timeline, oldest first. */
  private List<String> texts(String ns, String who, String author) throws Exception {
    List<String> texts = new ArrayList<>();
    for (JsonNode e : cli.json(ns, who, "timeline", "--json").path("entries")) {
      if (e.path("identity").asText().equals(author)) {
        texts.add(0, e.path("content").path("text").asText());
      }
    }
    return texts;
  }

  /** Whether a TCP connect from namespace {@code ns} to {@code host:port} succeeds within 3 s. */
  private static boolean tcpConnects(String ns, String host, int port) throws Exception {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "timeout",
                "3",
                "bash",
                "-c",
                "exec 3<>/dev/tcp/" + host + "/" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("a 3 s connect test ran for 10 s");
    }
    return p.exitValue() == 0;
  }
}
