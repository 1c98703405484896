package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.grapevine.libp2p.dcutr.DcutrOutcome;
import org.grapevine.libp2p.dcutr.netty.DcutrResult;
import org.grapevine.libp2p.dcutr.netty.DcutrService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.netty.CircuitTransport;
import org.grapevine.libp2p.relay.netty.HopServer;
import org.grapevine.libp2p.relay.netty.RelayClientDriver;
import org.grapevine.libp2p.testing.LoopbackHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DCUtR ({@code /libp2p/dcutr}) between our {@link DcutrService} and js-libp2p 3.3.11 with {@code
 * @libp2p/dcutr} 3.0.28, at the message level, on 127.0.0.1, through our relay ({@link HopServer}):
 * both ways round, the full CONNECT / CONNECT / SYNC exchange and the direct connection that comes
 * of it. The js peer prints a {@code dcutr} event for every step its service logs (see the js
 * README, "DCUtR").
 *
 * <p>What makes the exchange complete on loopback: js's DCUtR keeps only addresses it calls public
 * and dialable, and refuses every private IP (127/8 included: {@code isPrivate} of
 * {@code @libp2p/utils}) but takes any DNS address as public. So our side offers {@code
 * /dns4/localhost/tcp/<port>} next to its {@code /ip4/127.0.0.1} address (js drops the latter),
 * and accepts js's loopback addresses ({@link #loopbackTcp}; the node's rule, {@link
 * DcutrService#publicTcp}, would refuse them). Our hosts' identify lists only 127.0.0.1, so js
 * (as B) skips the spec's unilateral upgrade and starts the exchange.
 *
 * <p>What loopback changes: each side's dial reaches the other's listening socket as an ordinary
 * connection (there is no NAT, and js dials from an ephemeral port, so no two SYNs can meet as one
 * simultaneous open), and a listening socket's end is always the server. The spec makes A the
 * client of the direct connection and B the server, as we now do: so our dial as A connects, and
 * our dial as B stalls (both ends act as server) until an upgrade timeout. js's B asks for the
 * server's part too ({@code initiator: false}), but libp2p 3.3.11's dial queue drops that option,
 * so js's dials always run as a client and connect. Each test fails with the roles swapped back.
 *
 * <p>Waits are failure guards, never timed assertions.
 */
@Timeout(120)
class DcutrInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final LoopbackHosts hosts = new LoopbackHosts();

  private JsPeer js(JsPeer peer) {
    hosts.closeAfter(peer);
    return peer;
  }

  /** What our DCUtR dials here: TCP on loopback (the test's stand-in for "public"). */
  private static boolean loopbackTcp(Multiaddr a) {
    return !a.isCircuit()
        && a.tcpSocketAddress().map(s -> s.getAddress().isLoopbackAddress()).orElse(false);
  }

  private static String dnsAddr(Host h) {
    return "/dns4/localhost/tcp/"
        + h.listenAddrs().get(0).tcpSocketAddress().orElseThrow().getPort();
  }

  /**
   * Our DCUtR on {@code h}, started (serving the responder's side): offers {@link #dnsAddr} and the
   * 127.0.0.1 listen address, in that order.
   */
  private static DcutrService dcutr(Host h) throws Exception {
    List<Multiaddr> own = List.of(Multiaddr.parse(dnsAddr(h)), h.listenAddrs().get(0));
    DcutrService s =
        new DcutrService(
            h,
            () -> own,
            DcutrInteropIT::loopbackTcp,
            Duration.ofSeconds(5),
            PooledByteBufAllocator.DEFAULT);
    s.start();
    return s;
  }

  /** Our relay R: a host with a {@link HopServer}; its address with /p2p/. */
  private record Relay(Host host, String addr) {}

  private Relay ourRelay() throws Exception {
    Host r = hosts.start();
    HopServer hop = HopServer.start(r, HopConfig.DEFAULT, r::listenAddrs);
    hosts.closeAfter(hop);
    return new Relay(r, r.listenAddrs().get(0).withPeerId(r.peerId()).toString());
  }

  /**
   * js, in {@code role}, dialled only the DNS address of {@code ours} from our CONNECT (127.0.0.1
   * is private to it) and reported the direct connection to it.
   */
  private static void awaitJsDialledOnlyDns(JsPeer js, String role, Host ours) throws Exception {
    JsEvent dial = js.awaitEvent("dcutr", step(role, "dial"), WAIT);
    assertThat(dial.strings("addrs"))
        .as("js keeps only the DNS address of our CONNECT (127.0.0.1 is private to it)")
        .containsExactly(dnsAddr(ours));
    JsEvent direct = js.awaitEvent("dcutr", step(role, "direct"), WAIT);
    assertThat(direct.string("text")).contains(dnsAddr(ours));
  }

  private static Predicate<JsEvent> step(String role, String step) {
    return e -> role.equals(e.string("role")) && step.equals(e.string("step"));
  }

  /**
   * js dials us through the relay: we are B (the relayed connection is inbound here) and start the
   * exchange, js is A and answers. js's dial (as the client, to the DNS address we offered) makes
   * the direct connection; ours (as the server, to js's listener) cannot on loopback.
   */
  @Test
  void jsDialsUsThroughTheRelay_weAreB_connectConnectSync_jsDialMakesTheDirectConnection()
      throws Exception {
    JsInterop.assumeAvailable(Line.V3);
    Relay relay = ourRelay();
    Host b = hosts.start();
    DcutrService dcutr = dcutr(b);
    CompletableFuture<DcutrResult> result = new CompletableFuture<>();
    CompletableFuture<Connection> relayedIn = new CompletableFuture<>();
    dcutr.upgradeInboundRelayed(
        (c, r) -> {
          relayedIn.complete(c);
          result.complete(r);
        });
    RelayClientDriver client =
        hosts.closeAfter(RelayClientDriver.start(b, RelayClientConfig.DEFAULT.withWantedRelays(1)));
    CompletableFuture<RelayClientEvent> reserved = new CompletableFuture<>();
    client.addListener(reserved::complete);
    client.addRelay(relay.host().peerId(), relay.host().listenAddrs());
    assertThat(reserved.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(RelayClientEvent.Reserved.class);
    String circuit = relay.addr() + "/p2p-circuit/p2p/" + b.peerId();

    JsPeer a = js(JsPeer.dial(Line.V3, circuit, "--dcutr", "--stay", "--timeout", "100"));

    PeerId aId = PeerId.parse(a.listeningEvent(WAIT).string("peerId"));
    Predicate<JsEvent> toB = e -> e.string("peer").equals(b.peerId().toBase58());
    JsEvent viaRelay = a.awaitEvent("connected", toB.and(e -> e.bool("limited")), WAIT);
    assertThat(viaRelay.string("direction")).isEqualTo("outbound");
    assertThat(viaRelay.string("remoteAddr")).isEqualTo(circuit);
    // js, as A: our CONNECT arrived with an address it dials (the DNS one), so it answers.
    a.awaitEvent("dcutr", step("A", "await-connect"), WAIT);
    JsEvent jsConnect = a.awaitEvent("dcutr", step("A", "send-connect"), WAIT);
    a.awaitEvent("dcutr", step("A", "await-sync"), WAIT);
    awaitJsDialledOnlyDns(a, "A", b);
    JsEvent direct = a.awaitEvent("connected", toB.and(e -> !e.bool("limited")), WAIT);
    assertThat(direct.string("direction")).isEqualTo("outbound");
    assertThat(direct.string("remoteAddr")).isEqualTo(dnsAddr(b) + "/p2p/" + b.peerId());

    // Our side, B: CONNECT sent, js's CONNECT read (its 127.0.0.1 address), RTT measured, SYNC
    // sent (js dials only once it has read it), and the direct connection: js's dial, inbound here.
    DcutrResult r = result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(relayedIn.get().remotePeer()).isEqualTo(aId);
    assertThat(r.outcome()).as(r.detail()).isEqualTo(DcutrOutcome.DIRECT);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.rttNanos()).isPositive();
    assertThat(r.peerOffered()).map(Multiaddr::toString).isEqualTo(jsConnect.strings("addrs"));
    assertThat(r.peerOffered()).isNotEmpty().allMatch(DcutrInteropIT::loopbackTcp);
    Connection d = r.direct().orElseThrow();
    assertThat(d.remotePeer()).isEqualTo(aId);
    assertThat(d.isRelayed()).isFalse();
    assertThat(d.direction()).isEqualTo(Connection.Direction.INBOUND);
    assertThat(b.connections(aId)).contains(d);

    // Our own dial, as B the server, reached js's listener, whose end is a server too: neither
    // leads, and js's inbound upgrade of it fails when a side's 10 s upgrade timeout ends it.
    // (Were we the client, as we were before, it would connect.)
    JsEvent stuck =
        a.awaitEvent(
            "error",
            e ->
                "inbound-upgrade".equals(e.string("stage"))
                    && e.string("remoteAddr").equals(b.listenAddrs().get(0).toString()),
            Duration.ofSeconds(30));
    assertThat(a.events())
        .noneMatch(
            e ->
                e.name().equals("connected")
                    && e.string("remoteAddr")
                        .equals(b.listenAddrs().get(0).withPeerId(b.peerId()).toString()));
    assertThat(stuck.string("message")).isNotEmpty();
  }

  /**
   * We dial js through the relay: js is B and starts the exchange, we are A and answer. Both dials
   * make a connection: ours as the client, to js's listener; js's to our listener as a client too,
   * although js's DCUtR asks for the server's part ({@code initiator: false}): js's dial queue
   * drops that option.
   */
  @Test
  void weDialJsThroughTheRelay_jsIsB_weAnswerConnectAndSync_bothDialsConnect() throws Exception {
    JsInterop.assumeAvailable(Line.V3);
    Relay relay = ourRelay();
    JsPeer b =
        js(JsPeer.listen(Line.V3, "--relay-listen", relay.addr(), "--dcutr", "--timeout", "100"));
    String circuit = b.awaitEvent("relay-listening", WAIT).strings("addrs").get(0);
    PeerId bId = PeerId.parse(b.peerId());
    Host a = hosts.start();
    CircuitTransport.install(a);
    DcutrService dcutr = dcutr(a);
    BlockingQueue<DcutrResult> answered = new LinkedBlockingQueue<>();
    dcutr.addResponderListener((c, r) -> answered.add(r));
    Predicate<JsEvent> fromA = e -> e.string("peer").equals(a.peerId().toBase58());

    Connection relayed = a.dial(Multiaddr.parse(circuit)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(relayed.isRelayed()).isTrue();

    JsEvent viaRelay = b.awaitEvent("connected", fromA.and(e -> e.bool("limited")), WAIT);
    assertThat(viaRelay.string("direction")).isEqualTo("inbound");
    // js, as B: no unilateral upgrade (our identify lists only 127.0.0.1), then the exchange.
    b.awaitEvent("dcutr", step("B", "no-unilateral"), WAIT);
    JsEvent jsConnect = b.awaitEvent("dcutr", step("B", "send-connect"), WAIT);
    assertThat(jsConnect.strings("addrs"))
        .as("js offers its listen address and its circuit address")
        .contains(b.dialAddr(), circuit);
    b.awaitEvent("dcutr", step("B", "await-connect"), WAIT);
    JsEvent sync = b.awaitEvent("dcutr", step("B", "send-sync"), WAIT);
    assertThat(sync.number("rttMs")).isNotNegative();
    awaitJsDialledOnlyDns(b, "B", a);
    assertThat(b.events())
        .as("js's first attempt succeeded")
        .noneMatch(e -> e.name().equals("dcutr") && "attempt-failed".equals(e.string("step")));

    // Our side, A: js's CONNECT read (all its addresses, the circuit one too), ours sent, SYNC
    // read, dial to js's loopback address; a direct connection came up (ours or js's, whichever
    // registered first: the host keeps two connections per peer and closes a third).
    DcutrResult r = answered.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(r).as("our responder's result").isNotNull();
    assertThat(r.outcome()).as(r.detail()).isEqualTo(DcutrOutcome.DIRECT);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.rttNanos()).as("A measures no round trip").isEqualTo(-1);
    assertThat(r.peerOffered()).map(Multiaddr::toString).isEqualTo(jsConnect.strings("addrs"));
    Connection d = r.direct().orElseThrow();
    assertThat(d.isRelayed()).isFalse();
    assertThat(d.remotePeer()).isEqualTo(bId);
    // js saw our dial arrive, as the client, from our listening port, at its listener.
    JsEvent ours =
        b.awaitEvent(
            "connected",
            fromA.and(e -> !e.bool("limited")).and(e -> e.string("direction").equals("inbound")),
            WAIT);
    assertThat(ours.string("remoteAddr"))
        .isEqualTo(a.listenAddrs().get(0).withPeerId(a.peerId()).toString());
    // and js's own dial, to the DNS address we offered, connected too (as a client).
    JsEvent theirs =
        b.awaitEvent("connected", fromA.and(e -> e.string("direction").equals("outbound")), WAIT);
    assertThat(theirs.string("remoteAddr")).isEqualTo(dnsAddr(a) + "/p2p/" + a.peerId());
  }
}
