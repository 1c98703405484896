package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.grapevine.libp2p.testing.RoutedNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14's NAT lab with real {@code ./grapevine} processes: two people at home, each behind a
 * home router that masquerades and lets nothing in ({@link RoutedNetwork#natNetwork}), who know
 * only one public node R (11.0.1.2, {@code --bootstrap}; 11.0.0.0/8 exists only inside the
 * namespaces, and unlike the documentation ranges counts as public for observed addresses). Nobody
 * configures anything but {@code [nat] autonat_confidence = 1} (R is the only peer AutoNAT can
 * ask).
 *
 * <ul>
 *   <li>{@link #twoHomes_relayThenDirect}: Alice and Bob each learn they are private (AutoNAT, R
 *       dials back and fails), reserve a slot on R (R relays because it listens on a public
 *       address), and announce their topics with their circuit address. Bob follows Alice's
 *       identity: the DHT at R gives Bob Alice's circuit address, Bob's node reaches Alice's
 *       through R, DCUtR punches a hole through both NATs, the relayed connection is closed, and a
 *       live post then comes over the direct connection (asserted from both sides).
 *   <li>{@link #symmetricNat_relayOnly_syncAcrossCircuitResets}: Alice's router picks a random port
 *       for every connection, which defeats hole punching; Bob still gets all of Alice's history
 *       over the relay, although it is larger than what R lets one circuit carry (128 KiB): the
 *       circuit is cut, Bob's node dials Alice's again through R, and sync resumes.
 * </ul>
 *
 * Prints the times from start to the first reservation and from {@code follow} to the first post;
 * asserts no time. Needs root, iproute2 and nftables; without them the test is skipped, except with
 * {@code CI=true}, where it fails. Every process and namespace is removed at the end. The nodes'
 * debug logs are kept as {@code cli/target/relay-*.log}.
 */
@Timeout(300)
class RelayNetnsIT {
  private static final int R_PORT = 4001;

  @RegisterExtension
  final NetnsLab lab =
      new NetnsLab("gvy", "the relay netns test", "root, iproute2 and nftables", "nft");

  private NetnsCli cli;
  private RoutedNetwork net;

  @BeforeEach
  void lab() {
    cli = lab.cli();
    net = lab.net();
  }

  @Test
  void twoHomes_relayThenDirect() throws Exception {
    Lab lab = start(false);
    String aliceId = lab.alice.identity();

    // Each holds a reservation on R, and learns it is private.
    awaitStatus("alice", "a relay reservation", s -> !circuits(s).isEmpty());
    long aReserved = System.nanoTime() - lab.started;
    JsonNode aNat = awaitPrivateWithReservation("alice");
    long aPrivate = System.nanoTime() - lab.started;
    JsonNode bNat = awaitPrivateWithReservation("bob");
    assertThat(aNat.path("reservations").path("relays").toString()).contains(lab.rPeer);
    assertThat(bNat.path("reservations").path("relays").toString()).contains(lab.rPeer);
    JsonNode rNat = status(lab.nsR, "r").path("nat");
    assertThat(rNat.path("relay_service").path("on").asBoolean()).as("%s", rNat).isTrue();

    cli.ok(lab.nsA, "alice", "post", "alice's first");
    // Alice's provider record at R carries her circuit address (announced again once reserved).
    JsonNode record = cli.awaitProvider(lab.nsB, aliceId, lab.boot, lab.aPeer);
    assertThat(record.path("addrs").toString()).as("%s", record).contains("/p2p-circuit");

    NetnsCli.Proc bTimeline = cli.watchTimeline(lab.nsB, "bob");
    long followed = System.nanoTime();
    cli.ok(lab.nsB, "bob", "follow", aliceId);
    long first = bTimeline.awaitLine("", "alice's first").nanos() - followed;

    // The hole punch made a direct connection, both sides see it, and the relayed one is closed.
    awaitPeers(lab.nsB, "bob", "a direct connection to alice", p -> has(p, lab.aPeer, false));
    long direct = System.nanoTime() - followed;
    JsonNode bPeers = awaitDirectOnly(lab.nsB, "bob", lab.aPeer);
    JsonNode aPeers = awaitDirectOnly(lab.nsA, "alice", lab.bPeer);
    assertThat(address(aPeers, lab.bPeer))
        .as("alice sees bob at his router")
        .contains("/ip4/11.0.3.2/");
    assertThat(address(bPeers, lab.aPeer))
        .as("bob sees alice at her router")
        .contains("/ip4/11.0.2.2/");
    JsonNode punches = status(lab.nsA, "alice").path("nat").path("hole_punches");
    assertThat(punches.path("direct").asLong())
        .as("alice's hole punches: %s", punches)
        .isPositive();

    cli.ok(lab.nsA, "alice", "post", "alice's second, live");
    bTimeline.awaitLine("", "alice's second, live");
    assertThat(relayedTo(lab.nsB, "bob", lab.aPeer))
        .as("the live post came while bob had no relayed connection to alice")
        .isFalse();
    assertThat(relayCarriedBytes(lab)).as("R relayed a circuit").isPositive();

    System.out.printf(
        "RelayNetnsIT: start to alice's first reservation %.0f ms, to AutoNAT's 'private' %.0f ms;"
            + " bob's follow to alice's first post %.0f ms (relayed; includes a `grapevine follow`"
            + " process start), to a direct connection %.0f ms%n",
        aReserved / 1e6, aPrivate / 1e6, first / 1e6, direct / 1e6);
  }

  @Test
  void symmetricNat_relayOnly_syncAcrossCircuitResets() throws Exception {
    Lab lab = start(true);
    String aliceId = lab.alice.identity();
    awaitPrivateWithReservation("alice");
    awaitPrivateWithReservation("bob");
    // More than one circuit may carry (HopConfig.DEFAULT: 128 KiB): 24 posts of 7 KiB.
    int posts = 24;
    String filler = "x".repeat(7 * 1024);
    for (int i = 0; i < posts; i++) {
      cli.ok(lab.nsA, "alice", "post", "post " + i + " " + filler);
    }
    cli.awaitProvider(lab.nsB, aliceId, lab.boot, lab.aPeer);
    long followed = System.nanoTime();
    cli.ok(lab.nsB, "bob", "follow", aliceId);
    JsonNode timeline =
        cli.awaitJson(
            lab.nsB,
            "bob to hold alice's " + posts + " posts",
            t -> count(t, aliceId) >= posts,
            "timeline",
            "--json",
            "--limit",
            "100",
            "--data-dir",
            cli.dir("bob").toString());
    long all = System.nanoTime() - followed;
    assertThat(count(timeline, aliceId)).isEqualTo(posts);
    JsonNode punches = status(lab.nsA, "alice").path("nat").path("hole_punches");
    assertThat(punches.path("direct").asLong())
        .as("no hole punch succeeds through a symmetric NAT: %s", punches)
        .isZero();
    long circuits = status(lab.nsB, "bob").path("nat").path("relayed_connections_opened").asLong();
    assertThat(circuits)
        .as("bob's node reached alice's through R more than once (the circuit was cut)")
        .isGreaterThan(1);
    // Bob stops: his circuits end, and R counts every byte it carried for them.
    NetnsCli.stop(lab.bob.process);
    JsonNode hop =
        cli.awaitJson(
                lab.nsR,
                "R to have no circuit left",
                s -> s.path("nat").path("relay_service").path("circuits").asInt() == 0,
                "status",
                "--json",
                "--data-dir",
                cli.dir("r").toString())
            .path("nat")
            .path("relay_service");
    long relayed = hop.path("relayed_bytes").asLong();
    long text = (long) posts * (filler.length() + 8);
    assertThat(relayed).as("R carried at least the posts' text: %s", hop).isGreaterThan(text);
    System.out.printf(
        "RelayNetnsIT: symmetric NAT: %d posts (%d bytes of text) over the relay in %.0f ms, %d"
            + " circuits; the relay carried %d bytes, %.0f per post, %.2f times the text%n",
        posts,
        text,
        all / 1e6,
        circuits,
        relayed,
        (double) relayed / posts,
        (double) relayed / text);
  }

  // ------------------------------------------------------------------------------ the lab

  private record Lab(
      String nsR,
      String nsA,
      String nsB,
      NetnsCli.Proc alice,
      NetnsCli.Proc bob,
      String rPeer,
      String aPeer,
      String bPeer,
      String boot,
      long started) {}

  private Lab start(boolean aliceSymmetric) throws Exception {
    String nsR = net.network("r", "11.0.1");
    String nsA = net.natNetwork("a", "11.0.2", "192.168.10", aliceSymmetric);
    String nsB = net.natNetwork("b", "11.0.3", "192.168.20");
    cli.logNodes("debug");
    for (String who : List.of("r", "alice", "bob")) {
      Path config = cli.dir(who).resolve("config.toml");
      Files.createDirectories(cli.dir(who));
      Files.writeString(config, "[nat]\nautonat_confidence = 1\n", StandardCharsets.UTF_8);
    }
    NetnsCli.Proc r = cli.run(nsR, "r", "--port", Integer.toString(R_PORT), "--no-bootstrap");
    lab.keepLog(r, "relay-r");
    String rPeer = r.peerId();
    String boot = "/ip4/11.0.1.2/tcp/" + R_PORT + "/p2p/" + rPeer;
    r.awaitLine("api:");
    long started = System.nanoTime();
    NetnsCli.Proc alice = cli.run(nsA, "alice", "--bootstrap", boot);
    NetnsCli.Proc bob = cli.run(nsB, "bob", "--bootstrap", boot);
    lab.keepLog(alice, "relay-alice");
    lab.keepLog(bob, "relay-bob");
    alice.awaitLine("api:");
    bob.awaitLine("api:");
    return new Lab(nsR, nsA, nsB, alice, bob, rPeer, alice.peerId(), bob.peerId(), boot, started);
  }

  private String ns(String who) {
    return lab.router() + (who.equals("alice") ? "a" : who.equals("bob") ? "b" : "r");
  }

  private JsonNode status(String ns, String who) throws Exception {
    return cli.json(ns, who, "status", "--json");
  }

  private JsonNode awaitStatus(String who, String what, Predicate<JsonNode> until)
      throws Exception {
    return cli.awaitJson(
        ns(who),
        who + ": " + what,
        until,
        "status",
        "--json",
        "--data-dir",
        cli.dir(who).toString());
  }

  private static JsonNode circuits(JsonNode status) {
    return status.path("nat").path("reservations").path("circuit_addrs");
  }

  private JsonNode awaitPeers(String ns, String who, String what, Predicate<JsonNode> until)
      throws Exception {
    return cli.awaitJson(
        ns, who + ": " + what, until, "peers", "--json", "--data-dir", cli.dir(who).toString());
  }

  /** Whether {@code peers} has a connection to {@code peer} that is relayed or not. */
  private static boolean has(JsonNode peers, String peer, boolean relayed) {
    for (JsonNode c : peers.path("connected")) {
      if (c.path("peer_id").asText().equals(peer) && c.path("relayed").asBoolean() == relayed) {
        return true;
      }
    }
    return false;
  }

  private JsonNode awaitPrivateWithReservation(String who) throws Exception {
    return cli.awaitJson(
            ns(who),
            who + " to be private with a relay reservation",
            s ->
                s.path("nat").path("reachability").asText().equals("private")
                    && !s.path("nat").path("reservations").path("circuit_addrs").isEmpty(),
            "status",
            "--json",
            "--data-dir",
            cli.dir(who).toString())
        .path("nat");
  }

  /** Waits until {@code who}'s only connections to {@code peer} are direct; its peers answer. */
  private JsonNode awaitDirectOnly(String ns, String who, String peer) throws Exception {
    return cli.awaitJson(
        ns,
        who + " to hold only direct connections to " + peer,
        p -> {
          boolean any = false;
          for (JsonNode c : p.path("connected")) {
            if (c.path("peer_id").asText().equals(peer)) {
              if (c.path("relayed").asBoolean()) {
                return false;
              }
              any = true;
            }
          }
          return any;
        },
        "peers",
        "--json",
        "--data-dir",
        cli.dir(who).toString());
  }

  private boolean relayedTo(String ns, String who, String peer) throws Exception {
    for (JsonNode c : cli.json(ns, who, "peers", "--json").path("connected")) {
      if (c.path("peer_id").asText().equals(peer) && c.path("relayed").asBoolean()) {
        return true;
      }
    }
    return false;
  }

  private static String address(JsonNode peers, String peer) {
    for (JsonNode c : peers.path("connected")) {
      if (c.path("peer_id").asText().equals(peer)) {
        return c.path("address").asText();
      }
    }
    return "";
  }

  /** Bytes R's relay carried in circuits that have ended, as its status says. */
  private long relayCarriedBytes(Lab lab) throws Exception {
    return cli.awaitJson(
            lab.nsR,
            "R to count relayed bytes",
            s -> s.path("nat").path("relay_service").path("relayed_bytes").asLong() > 0,
            "status",
            "--json",
            "--data-dir",
            cli.dir("r").toString())
        .path("nat")
        .path("relay_service")
        .path("relayed_bytes")
        .asLong();
  }

  private static int count(JsonNode timeline, String author) {
    int n = 0;
    for (JsonNode e : timeline.path("entries")) {
      if (e.path("identity").asText().equals(author)
          && e.path("content").path("text").asText().startsWith("post ")) {
        n++;
      }
    }
    return n;
  }
}
