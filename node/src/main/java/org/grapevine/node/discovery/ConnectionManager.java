package org.grapevine.node.discovery;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Which peers a node knows and which it keeps connected (docs/ARCHITECTURE.md "Discovery and
 * connectivity"). Sans-I/O: no sockets, clocks or threads; not thread-safe.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Peers come from bootstrap addresses (given, or resolved from names: {@link
 *       #handleBootstrapResolved}), the persisted table ({@link #restore}), mDNS, identify,
 *       GossipSub peer exchange and inbound connections. Only TCP addresses with a concrete IP are
 *       kept, at most {@value #MAX_ADDRS_PER_PEER} learned ones per peer.
 *   <li>While fewer than {@code targetConnections} peers are connected or being dialed, peers whose
 *       backoff has passed are dialed: bootstrap peers first, then those with fewer failures, ties
 *       broken by the injected random source; at most {@value #MAX_CONCURRENT_DIALS} at once.
 *   <li>A failed dial doubles the peer's backoff (from {@code backoffBase} up to {@code
 *       backoffCap}, jittered); after {@code maxDialFailures} failures in a row the peer is
 *       forgotten, unless it is a bootstrap peer. A lost connection schedules a redial after one
 *       base delay; a connection resets the failures.
 *   <li>A peer that connects while {@code maxConnections} peers are connected is closed again
 *       (unless we dialed it: we only dial below the target).
 *   <li>A connected peer is persisted with its addresses ({@link ConnectionCommand.SavePeer}); a
 *       forgotten or evicted one is removed. The table holds {@code maxKnownPeers}; a new peer
 *       evicts the unconnected non-bootstrap peer with the most failures, else the least recently
 *       heard of.
 *   <li>Topic peers ({@link #handleTopicPeer}: providers of a followed topic found in the DHT) are
 *       dialled at once, whatever {@code targetConnections} (only {@code maxConnections} and the
 *       concurrent-dial limit hold), redialled after a lost connection the same way, and never
 *       evicted from the table until {@link #handleTopicPeerReleased}: GossipSub needs them to form
 *       the topic's mesh. They are forgotten after {@code maxDialFailures} failed dials like any
 *       other peer (the rendezvous finds others).
 * </ol>
 *
 * <p>Call order: inputs are the {@code handle*} methods and {@link #restore}; after any of them
 * drain {@link #pollCommand} until empty, then read {@link #pollTimeout} and call {@link
 * #handleTimeout} then. Time must not go backwards.
 */
public final class ConnectionManager {
  static final int MAX_ADDRS_PER_PEER = 8;
  static final int MAX_CONCURRENT_DIALS = 8;

  private final DiscoveryConfig config;
  private final PeerId self;
  private final RandomGenerator random;
  private final Backoff backoff;
  private final Map<PeerId, KnownPeer> peers = new LinkedHashMap<>();
  private final ArrayDeque<ConnectionCommand> commands = new ArrayDeque<>();
  private int connected;
  private int dialing;
  private int topicPeers;

  /** Bootstrap peers come from {@code config}; the first dials follow the first input. */
  public ConnectionManager(DiscoveryConfig config, PeerId self, RandomGenerator random) {
    this.config = config;
    this.self = self;
    this.random = random;
    this.backoff = new Backoff(config.backoffBase(), config.backoffCap());
    for (Multiaddr b : config.bootstrapAddrs()) {
      PeerId id = b.peerId().orElseThrow();
      if (!id.equals(self)) {
        KnownPeer p = peers.computeIfAbsent(id, k -> new KnownPeer());
        p.sources.add(PeerSource.BOOTSTRAP);
        if (!p.pinned.contains(b.withoutPeerId())) {
          p.pinned.add(b.withoutPeerId());
        }
      }
    }
  }

  /** The persisted table, loaded at start: known, dialable, and not saved again. */
  public void restore(Map<PeerId, List<Multiaddr>> stored, long nowNanos) {
    stored.forEach(
        (peer, addrs) -> {
          if (learn(peer, addrs, PeerSource.STORED, nowNanos)) {
            KnownPeer p = peers.get(peer);
            p.saved = p.addrs();
          }
        });
    dialIfWanted(nowNanos);
  }

  /**
   * A peer and addresses heard of ({@code /p2p} suffixes must name {@code peer} or are dropped).
   *
   * @return true if the peer was not known before
   */
  public boolean handleDiscovered(
      PeerId peer, List<Multiaddr> addrs, PeerSource source, long nowNanos) {
    boolean known = peers.containsKey(peer);
    boolean kept = learn(peer, addrs, source, nowNanos);
    KnownPeer p = peers.get(peer);
    if (kept && p.connected) {
      save(peer, p);
    }
    dialIfWanted(nowNanos);
    return kept && !known;
  }

  /**
   * Addresses a bootstrap name ({@code /dnsaddr}, {@code /dns*}) resolved to: the peer becomes a
   * bootstrap peer (never forgotten, dialed first) with these addresses pinned, at most {@value
   * #MAX_ADDRS_PER_PEER}. {@code /p2p} suffixes must name {@code peer}; others are dropped.
   */
  public void handleBootstrapResolved(PeerId peer, List<Multiaddr> addrs, long nowNanos) {
    if (peer.equals(self)) {
      return;
    }
    KnownPeer p = peers.get(peer);
    if (p == null) {
      p = new KnownPeer();
      p.nextDialAt = nowNanos;
      peers.put(peer, p);
    }
    p.sources.add(PeerSource.BOOTSTRAP);
    p.lastSeen = nowNanos;
    for (Multiaddr a : addrs) {
      Multiaddr bare = a.withoutPeerId();
      if (a.peerId().map(peer::equals).orElse(true)
          && bare.tcpSocketAddress().isPresent()
          && !p.pinned.contains(bare)
          && p.pinned.size() < MAX_ADDRS_PER_PEER) {
        p.pinned.add(bare);
        p.learned.remove(bare);
      }
    }
    dialIfWanted(nowNanos);
  }

  public void handleConnected(PeerId peer, boolean outbound, long nowNanos) {
    if (peer.equals(self)) {
      return;
    }
    if (!peers.containsKey(peer) && !learn(peer, List.of(), PeerSource.INBOUND, nowNanos)) {
      commands.add(
          new ConnectionCommand.Close(peer)); // The table is full of peers we care about more.
      return;
    }
    KnownPeer p = peers.get(peer);
    if (p.connected) {
      return; // A second connection to the same peer.
    }
    boolean wasDialing = p.dialing;
    endDial(p);
    p.lastSeen = nowNanos;
    if (connected >= config.maxConnections() && !wasDialing && !outbound) {
      commands.add(new ConnectionCommand.Close(peer));
      return;
    }
    p.connected = true;
    p.failures = 0;
    connected++;
    save(peer, p);
  }

  public void handleDisconnected(PeerId peer, long nowNanos) {
    KnownPeer p = peers.get(peer);
    if (p == null || !p.connected) {
      return;
    }
    p.connected = false;
    connected--;
    p.nextDialAt = nowNanos + backoff.delayNanos(1, random);
    dialIfWanted(nowNanos);
  }

  /** Our dial reached the peer (or found it connected already). */
  public void handleDialSucceeded(PeerId peer, long nowNanos) {
    KnownPeer p = peers.get(peer);
    if (p != null) {
      endDial(p);
    }
    dialIfWanted(nowNanos);
  }

  /** None of the peer's addresses worked. */
  public void handleDialFailed(PeerId peer, long nowNanos) {
    KnownPeer p = peers.get(peer);
    if (p == null) {
      return;
    }
    endDial(p);
    if (!p.connected) {
      p.failures++;
      if (p.failures >= config.maxDialFailures() && !p.isBootstrap()) {
        forget(peer, p);
      } else {
        p.nextDialAt = nowNanos + backoff.delayNanos(p.failures, random);
      }
    }
    dialIfWanted(nowNanos);
  }

  public void handleTimeout(long nowNanos) {
    dialIfWanted(nowNanos);
  }

  /**
   * A provider of a topic we follow: kept connected while the topic needs it (rule 6).
   *
   * @return false if it is us, or the table had no room for it
   */
  public boolean handleTopicPeer(PeerId peer, List<Multiaddr> addrs, long nowNanos) {
    if (!learn(peer, addrs, PeerSource.TOPIC, nowNanos)) {
      return false;
    }
    KnownPeer p = peers.get(peer);
    if (!p.topicPeer) {
      p.topicPeer = true;
      topicPeers++;
    }
    if (p.connected) {
      save(peer, p);
    }
    dialIfWanted(nowNanos);
    return true;
  }

  /** The topic no longer needs {@code peer}: an ordinary known peer again. */
  public void handleTopicPeerReleased(PeerId peer) {
    KnownPeer p = peers.get(peer);
    if (p != null && p.topicPeer) {
      p.topicPeer = false;
      topicPeers--;
    }
  }

  /** Whether {@code peer} is a topic peer now. */
  public boolean isTopicPeer(PeerId peer) {
    KnownPeer p = peers.get(peer);
    return p != null && p.topicPeer;
  }

  public Optional<ConnectionCommand> pollCommand() {
    return Optional.ofNullable(commands.poll());
  }

  /** When a backed-off peer becomes dialable while we want more connections; empty if never. */
  public OptionalLong pollTimeout() {
    boolean wantAny = connected + dialing < config.targetConnections();
    if ((!wantAny && topicPeers == 0) || dialing >= MAX_CONCURRENT_DIALS) {
      return OptionalLong.empty();
    }
    long next = Long.MAX_VALUE;
    boolean any = false;
    for (KnownPeer p : peers.values()) {
      if (!p.connected
          && !p.dialing
          && (wantAny || p.topicPeer)
          && (!p.pinned.isEmpty() || !p.learned.isEmpty())) {
        next = any ? Math.min(next, p.nextDialAt) : p.nextDialAt;
        any = true;
      }
    }
    return any ? OptionalLong.of(next) : OptionalLong.empty();
  }

  public int connectedCount() {
    return connected;
  }

  public Set<PeerId> knownPeers() {
    return Collections.unmodifiableSet(new TreeSet<>(peers.keySet()));
  }

  /** The peer's addresses in dial order; empty if unknown. */
  public List<Multiaddr> addrs(PeerId peer) {
    KnownPeer p = peers.get(peer);
    return p == null ? List.of() : p.addrs();
  }

  /** Failed dials in a row; -1 if unknown. */
  public int failures(PeerId peer) {
    KnownPeer p = peers.get(peer);
    return p == null ? -1 : p.failures;
  }

  // --- Internals --------------------------------------------------------------------------------

  /** Records a peer and its usable addresses; false if it is us or the table had no room. */
  private boolean learn(PeerId peer, List<Multiaddr> addrs, PeerSource source, long now) {
    if (peer.equals(self)) {
      return false;
    }
    List<Multiaddr> usable = new ArrayList<>();
    for (Multiaddr a : addrs) {
      usable(peer, a).ifPresent(usable::add);
    }
    KnownPeer p = peers.get(peer);
    if (p == null) {
      if (peers.size() >= config.maxKnownPeers() && !evictOne()) {
        return false;
      }
      p = new KnownPeer();
      p.nextDialAt = now;
      peers.put(peer, p);
    }
    p.sources.add(source);
    p.lastSeen = now;
    p.learn(usable, MAX_ADDRS_PER_PEER);
    return true;
  }

  /**
   * {@code a} as the peer's dialable address without /p2p: TCP at a concrete address and port, or a
   * circuit through a relay at one ({@code <relay tcp addr>/p2p/<relay>/p2p-circuit}, dialled
   * last); empty for anything else or an address of another peer.
   */
  static Optional<Multiaddr> usable(PeerId peer, Multiaddr a) {
    Multiaddr bare = a.withoutPeerId();
    boolean hadPeer = bare.components().size() < a.components().size();
    if (hadPeer && !a.peerId().orElseThrow().equals(peer)) {
      return Optional.empty();
    }
    if (!bare.isCircuit()) {
      return concrete(bare) ? Optional.of(bare) : Optional.empty();
    }
    // The target's /p2p was dropped above: what is left ends in /p2p-circuit.
    Optional<Multiaddr> relay = bare.circuitRelay();
    boolean dialable =
        relay.isPresent()
            && !relay.get().peerId().orElseThrow().equals(peer)
            && concrete(relay.get().withoutPeerId());
    return dialable ? Optional.of(bare) : Optional.empty();
  }

  private static boolean concrete(Multiaddr a) {
    Optional<InetSocketAddress> tcp = a.tcpSocketAddress();
    return tcp.isPresent()
        && !tcp.get().getAddress().isAnyLocalAddress()
        && tcp.get().getPort() != 0;
  }

  private boolean evictOne() {
    Map.Entry<PeerId, KnownPeer> victim = null;
    Comparator<KnownPeer> worse =
        Comparator.<KnownPeer>comparingInt(p -> p.failures)
            .thenComparing(p -> -p.lastSeen, Comparator.naturalOrder());
    for (Map.Entry<PeerId, KnownPeer> e : peers.entrySet()) {
      KnownPeer p = e.getValue();
      if (!p.connected
          && !p.dialing
          && !p.isBootstrap()
          && !p.topicPeer
          && (victim == null || worse.compare(p, victim.getValue()) > 0)) {
        victim = e;
      }
    }
    if (victim == null) {
      return false;
    }
    forget(victim.getKey(), victim.getValue());
    return true;
  }

  private void forget(PeerId peer, KnownPeer p) {
    peers.remove(peer);
    if (p.topicPeer) {
      topicPeers--;
    }
    if (p.saved != null) {
      commands.add(new ConnectionCommand.ForgetPeer(peer));
    }
  }

  private void save(PeerId peer, KnownPeer p) {
    List<Multiaddr> addrs = p.addrs();
    if (!addrs.isEmpty() && !addrs.equals(p.saved)) {
      p.saved = addrs;
      commands.add(new ConnectionCommand.SavePeer(peer, addrs));
    }
  }

  private void endDial(KnownPeer p) {
    if (p.dialing) {
      p.dialing = false;
      dialing--;
    }
  }

  private void dialIfWanted(long now) {
    int slots =
        Math.min(config.targetConnections() - connected - dialing, MAX_CONCURRENT_DIALS - dialing);
    // Topic peers may go past the target, up to the limit (rule 6).
    int topicSlots =
        Math.min(config.maxConnections() - connected - dialing, MAX_CONCURRENT_DIALS - dialing);
    if (slots <= 0 && (topicPeers == 0 || topicSlots <= 0)) {
      return;
    }
    List<Map.Entry<PeerId, KnownPeer>> due = new ArrayList<>();
    for (Map.Entry<PeerId, KnownPeer> e : peers.entrySet()) {
      KnownPeer p = e.getValue();
      if (!p.connected
          && !p.dialing
          && now - p.nextDialAt >= 0
          && (!p.pinned.isEmpty() || !p.learned.isEmpty())) {
        due.add(e);
      }
    }
    for (int i = due.size() - 1;
        i > 0;
        i--) { // Fisher-Yates with the injected source: reproducible ties.
      Collections.swap(due, i, random.nextInt(i + 1));
    }
    due.sort(
        Comparator.<Map.Entry<PeerId, KnownPeer>>comparingInt(
                e -> e.getValue().topicPeer ? 0 : e.getValue().isBootstrap() ? 1 : 2)
            .thenComparingInt(e -> e.getValue().failures));
    int dialled = 0;
    for (Map.Entry<PeerId, KnownPeer> e : due) {
      KnownPeer p = e.getValue();
      boolean room = p.topicPeer ? dialled < topicSlots : dialled < slots;
      if (!room) {
        continue;
      }
      p.dialing = true;
      dialing++;
      dialled++;
      commands.add(new ConnectionCommand.Dial(e.getKey(), p.addrs()));
    }
  }
}
