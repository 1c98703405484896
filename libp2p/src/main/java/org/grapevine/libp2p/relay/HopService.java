package org.grapevine.libp2p.relay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.limits.KeyedTokenBuckets;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrComponent;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The relay side of circuit relay v2's hop protocol (libp2p/specs relay/circuit-v2.md), for one
 * publicly reachable host. Sans-I/O: no streams, clocks or threads. Not thread-safe: confine to one
 * event loop.
 *
 * <p>Call order: every request goes to {@link #handleRequest}. A CONNECT that passes the checks
 * yields {@link HopDecision.OpenStop}: the driver opens a stop stream to the target and reports
 * {@link #handleStopAnswer} or {@link #handleStopFailed}, whose answer goes back to the source; on
 * OK it pipes the two streams with a {@link CircuitBudget} per direction and reports {@link
 * #handleCircuitClosed} when the circuit ends. {@link #handlePeerDisconnected} when a peer's last
 * connection closes. After any input, drain {@link #pollEvent}, then re-arm the timer from {@link
 * #pollTimeout} and call {@link #handleTimeout} then. Time: {@code nowNanos} is monotonic and
 * non-decreasing; {@code nowUnixSeconds} is wall-clock time, used only for the {@code expire} and
 * voucher fields the spec defines in Unix seconds.
 *
 * <p>Rules, checked in this order:
 *
 * <ol>
 *   <li>Requests that arrive over a relayed connection are refused with PERMISSION_DENIED (the
 *       spec's SHOULD: no relaying through relays).
 *   <li>RESERVE: a renewal (the peer holds a reservation) is always granted and extends it. A new
 *       one is refused with RESERVATION_REFUSED when {@code maxReservations} are held, or the peer
 *       or its IP has used up its grants (see {@link HopConfig}): a token bucket each, with the cap
 *       as burst, refilled at the cap per reservation TTL. The IP is the connection's ip4 or ip6
 *       address without port (an IPv4-mapped IPv6 address counts as its IPv4 address). Buckets are
 *       kept for at most 4 × {@code maxReservations} peers and as many IPs, the least recently used
 *       forgotten beyond that: many identities from many addresses can neither grow the memory
 *       without end nor lock others out.
 *   <li>CONNECT: NO_RESERVATION unless the target holds a live reservation; RESOURCE_LIMIT_EXCEEDED
 *       over {@code maxCircuits} or {@code maxCircuitsPerPeer} (source or target); then the target
 *       is asked. A target that refuses or cannot be reached gives CONNECTION_FAILED.
 *   <li>STATUS as a request: UNEXPECTED_MESSAGE. Bytes that do not decode: {@link #handleMalformed}
 *       answers MALFORMED_MESSAGE.
 *   <li>A circuit ends after the limit's duration ({@link HopEvent.CircuitExpired}); its data limit
 *       is enforced by the pipe's {@link CircuitBudget}s.
 * </ol>
 *
 * <p>Discrepancies: the spec leaves the caps to implementations. go-libp2p counts a peer's or IP's
 * grants within the last TTL (a sliding window); our buckets allow the same number at once and on
 * average, but up to twice it within one TTL in the worst case (a burst, then the refill); in
 * return they need no per-grant memory or timer. Circuits are counted for both ends. A reservation
 * ends when the peer's last connection to us closes (the spec: the reservation holds "as long as
 * there are active connections").
 */
public final class HopService {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private record Held(long expiresAtNanos) {}

  private static final class Circuit {
    final PeerId source;
    final PeerId target;
    long deadlineNanos = Long.MAX_VALUE;
    boolean active;

    Circuit(PeerId source, PeerId target) {
      this.source = source;
      this.target = target;
    }
  }

  private final HopConfig config;
  private final PrivKey identity;
  private final PeerId self;

  /** In order of expiry: a renewal moves its entry to the end (all reservations share one TTL). */
  private final LinkedHashMap<PeerId, Held> reservations = new LinkedHashMap<>();

  private final KeyedTokenBuckets<PeerId> grantsPerPeer;
  private final KeyedTokenBuckets<String> grantsPerIp;

  private final Map<Long, Circuit> circuits = new HashMap<>();
  private final Map<PeerId, Integer> circuitsPerPeer = new HashMap<>();
  private final ArrayDeque<HopEvent> events = new ArrayDeque<>();
  private final EnumMap<RelayStatus, Long> answers = new EnumMap<>(RelayStatus.class);
  private final EnumMap<CircuitEnd, Long> ends = new EnumMap<>(CircuitEnd.class);
  private long nextCircuitId = 1;

  public HopService(HopConfig config, PrivKey identity) {
    this.config = config;
    this.identity = identity;
    this.self = PeerId.fromPubKey(identity.publicKey());
    Duration ttl = config.reservationTtl();
    int keys = 4 * Math.max(1, config.maxReservations());
    this.grantsPerPeer =
        new KeyedTokenBuckets<>(
            config.maxReservationsPerPeer(), ttl, config.maxReservationsPerPeer(), keys);
    this.grantsPerIp =
        new KeyedTokenBuckets<>(
            config.maxReservationsPerIp(), ttl, config.maxReservationsPerIp(), keys);
  }

  public HopConfig config() {
    return config;
  }

  /**
   * A hop request from {@code from}.
   *
   * @param remoteAddr the requesting connection's remote address (its IP is what the per-IP cap
   *     counts)
   * @param overRelayed whether the request came over a relayed connection
   * @param relayAddrs our public addresses, put in reservations (each gets /p2p/us)
   */
  public HopDecision handleRequest(
      PeerId from,
      Multiaddr remoteAddr,
      boolean overRelayed,
      HopMessage request,
      List<Multiaddr> relayAddrs,
      long nowNanos,
      long nowUnixSeconds) {
    handleTimeout(nowNanos);
    if (request.type() == HopMessage.Type.STATUS) {
      return answer(HopMessage.status(RelayStatus.UNEXPECTED_MESSAGE));
    }
    if (overRelayed) {
      return answer(HopMessage.status(RelayStatus.PERMISSION_DENIED));
    }
    if (request.type() == HopMessage.Type.RESERVE) {
      return answer(reserve(from, ipOf(remoteAddr), relayAddrs, nowNanos, nowUnixSeconds));
    }
    return connect(from, request.peer().orElseThrow().id());
  }

  /** The request did not decode: the answer to send before closing. */
  public HopMessage handleMalformed() {
    return count(HopMessage.status(RelayStatus.MALFORMED_MESSAGE));
  }

  private HopMessage reserve(
      PeerId peer, String ip, List<Multiaddr> relayAddrs, long nowNanos, long nowUnixSeconds) {
    boolean renewal = reservations.containsKey(peer);
    // The peer's bucket first: a peer over its own cap must not use up its IP's.
    if (!renewal
        && (reservations.size() >= config.maxReservations()
            || !grantsPerPeer.tryAcquire(peer, nowNanos)
            || !grantsPerIp.tryAcquire(ip, nowNanos))) {
      return HopMessage.status(RelayStatus.RESERVATION_REFUSED);
    }
    long expiresAt = nowNanos + config.reservationTtl().toNanos();
    long expireUnix = nowUnixSeconds + config.reservationTtl().toSeconds();
    reservations.remove(peer);
    reservations.put(peer, new Held(expiresAt));
    List<Multiaddr> addrs = new ArrayList<>(relayAddrs.size());
    relayAddrs.forEach(a -> addrs.add(a.withPeerId(self)));
    byte[] voucher = new ReservationVoucher(self, peer, expireUnix).seal(identity);
    return HopMessage.reserved(
        new RelayReservation(expireUnix, addrs, Optional.of(voucher)), config.circuitLimit());
  }

  /**
   * What the per-IP cap counts for {@code addr}: its first ip4 or ip6 component's address, without
   * port, IPv4-mapped IPv6 as IPv4; an address without one (DNS, a circuit) counts as its text.
   */
  static String ipOf(Multiaddr addr) {
    for (MultiaddrComponent c : addr.components()) {
      switch (c.protocol()) {
        case IP4, IP6 -> {
          try {
            return InetAddress.getByAddress(c.value()).getHostAddress();
          } catch (UnknownHostException e) {
            throw new IllegalStateException("ip component of 4 or 16 bytes", e);
          }
        }
        default -> {}
      }
    }
    return addr.toString();
  }

  private HopDecision connect(PeerId source, PeerId target) {
    if (!reservations.containsKey(target)) {
      return answer(HopMessage.status(RelayStatus.NO_RESERVATION));
    }
    if (circuits.size() >= config.maxCircuits()
        || circuitsPerPeer.getOrDefault(source, 0) >= config.maxCircuitsPerPeer()
        || circuitsPerPeer.getOrDefault(target, 0) >= config.maxCircuitsPerPeer()) {
      return answer(HopMessage.status(RelayStatus.RESOURCE_LIMIT_EXCEEDED));
    }
    long id = nextCircuitId++;
    circuits.put(id, new Circuit(source, target));
    circuitsPerPeer.merge(source, 1, Integer::sum);
    circuitsPerPeer.merge(target, 1, Integer::sum);
    return new HopDecision.OpenStop(
        id, target, StopMessage.connect(RelayPeer.of(source), config.circuitLimit()));
  }

  /** The target's answer on stop: returns the answer to the source. */
  public HopMessage handleStopAnswer(long circuitId, StopMessage answer, long nowNanos) {
    Circuit c = circuits.get(circuitId);
    if (c == null || c.active) {
      throw new IllegalStateException("no pending circuit " + circuitId);
    }
    if (answer.type() != StopMessage.Type.STATUS
        || answer.status().orElse(null) != RelayStatus.OK) {
      remove(circuitId);
      return count(HopMessage.status(RelayStatus.CONNECTION_FAILED));
    }
    c.active = true;
    long duration = config.circuitLimit().durationSeconds();
    if (duration > 0) {
      c.deadlineNanos = nowNanos + duration * NANOS_PER_SECOND;
    }
    return count(HopMessage.status(RelayStatus.OK, config.circuitLimit()));
  }

  /** The stop stream could not be opened, or its answer did not come or decode. */
  public HopMessage handleStopFailed(long circuitId, long nowNanos) {
    remove(circuitId);
    return count(HopMessage.status(RelayStatus.CONNECTION_FAILED));
  }

  /** The circuit's streams are gone (both sides closed, either reset, or a limit cut it). */
  public void handleCircuitClosed(long circuitId, CircuitEnd why, long nowNanos) {
    if (circuits.containsKey(circuitId)) {
      ends.merge(why, 1L, Long::sum);
    }
    remove(circuitId);
  }

  /** {@code peer}'s last connection to us closed: its reservation ends. */
  public void handlePeerDisconnected(PeerId peer, long nowNanos) {
    if (reservations.remove(peer) != null) {
      events.add(new HopEvent.ReservationEnded(peer));
    }
  }

  public void handleTimeout(long nowNanos) {
    Iterator<Map.Entry<PeerId, Held>> it = reservations.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<PeerId, Held> e = it.next();
      if (e.getValue().expiresAtNanos > nowNanos) {
        break;
      }
      it.remove();
      events.add(new HopEvent.ReservationEnded(e.getKey()));
    }
    // At most maxCircuits entries: a scan is cheaper than keeping a second index.
    for (Map.Entry<Long, Circuit> e : List.copyOf(circuits.entrySet())) {
      if (e.getValue().deadlineNanos <= nowNanos) {
        remove(e.getKey());
        events.add(new HopEvent.CircuitExpired(e.getKey()));
      }
    }
  }

  public OptionalLong pollTimeout() {
    long next = Long.MAX_VALUE;
    if (!reservations.isEmpty()) {
      next = Math.min(next, reservations.values().iterator().next().expiresAtNanos);
    }
    for (Circuit c : circuits.values()) {
      next = Math.min(next, c.deadlineNanos);
    }
    return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
  }

  public Optional<HopEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  public boolean hasReservation(PeerId peer) {
    return reservations.containsKey(peer);
  }

  public int reservationCount() {
    return reservations.size();
  }

  public int circuitCount() {
    return circuits.size();
  }

  /** How many answers of {@code status} this service has given. */
  public long answered(RelayStatus status) {
    return answers.getOrDefault(status, 0L);
  }

  /** How many circuits ended for {@code why}. */
  public long ended(CircuitEnd why) {
    return ends.getOrDefault(why, 0L);
  }

  private void remove(long circuitId) {
    Circuit c = circuits.remove(circuitId);
    if (c != null) {
      circuitsPerPeer.computeIfPresent(c.source, (p, n) -> n > 1 ? n - 1 : null);
      circuitsPerPeer.computeIfPresent(c.target, (p, n) -> n > 1 ? n - 1 : null);
    }
  }

  private HopDecision answer(HopMessage m) {
    return new HopDecision.Answer(count(m));
  }

  private HopMessage count(HopMessage m) {
    m.status().ifPresent(s -> answers.merge(s, 1L, Long::sum));
    return m;
  }
}
