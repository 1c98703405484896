package org.grapevine.libp2p.relay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrComponent;
import org.grapevine.libp2p.multiaddr.MultiaddrProtocol;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The client side of circuit relay v2 for a host that cannot be dialled: keeps reservations on
 * {@link RelayClientConfig#wantedRelays} relays, renews each before it expires, replaces a relay
 * that refuses, fails or goes away, and yields the {@code /p2p-circuit} addresses to advertise.
 * Sans-I/O; not thread-safe (confine to one event loop).
 *
 * <p>Call order: {@link #addCandidate} for every relay the node learns of (bootstrap, DHT). After
 * any input, drain {@link #pollAction} (each {@link Reserve} is one hop RESERVE on a connection to
 * that relay, dialling it if needed; report {@link #handleReserveAnswer} or {@link
 * #handleReserveFailed}), then {@link #pollEvent}, then re-arm the timer from {@link #pollTimeout}.
 * {@link #handleRelayDisconnected} when the last connection to a relay closes (a reservation lives
 * only as long as a connection, circuit-v2.md).
 *
 * <p>Rules: 1. candidates are tried in the order they were added; 2. a relay that failed waits
 * {@code retryBase}, doubling per failure in a row up to {@code retryMax}; 3. an answer is accepted
 * only if it is OK and has a reservation expiring in the future; a voucher that does not verify
 * (not the relay's signature, not for us, another expiry, bad bytes) is counted ({@link
 * #ignoredVouchers}), named in the {@link RelayClientEvent.Reserved} event, and otherwise ignored:
 * circuit-v2.md makes vouchers "only advisory" ("not currently enforced"); 4. a reservation is
 * renewed after {@code renewFraction} of its lifetime; a failed renewal drops it (another relay is
 * tried at once).
 */
public final class RelayClient {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** One RESERVE to send on the hop protocol. */
  public record Reserve(PeerId relay, List<Multiaddr> addrs) {}

  private enum State {
    IDLE,
    RESERVING,
    RESERVED,
    BACKOFF
  }

  private static final class Candidate {
    final PeerId id;
    List<Multiaddr> addrs;
    State state = State.IDLE;
    boolean renewing;
    long expiresAtNanos;
    long renewAtNanos;
    long retryAtNanos;
    int failures;
    List<Multiaddr> circuitAddrs = List.of();

    Candidate(PeerId id, List<Multiaddr> addrs) {
      this.id = id;
      this.addrs = addrs;
    }
  }

  private final RelayClientConfig config;
  private final PeerId self;
  private final Map<PeerId, Candidate> candidates = new LinkedHashMap<>();
  private final ArrayDeque<Reserve> actions = new ArrayDeque<>();
  private final ArrayDeque<RelayClientEvent> events = new ArrayDeque<>();
  private long ignoredVouchers;

  public RelayClient(RelayClientConfig config, PeerId self) {
    this.config = config;
    this.self = self;
  }

  public RelayClientConfig config() {
    return config;
  }

  /** A relay to consider (addresses without /p2p); known ones get the new addresses. */
  public void addCandidate(PeerId relay, List<Multiaddr> addrs, long nowNanos) {
    if (relay.equals(self)) {
      return;
    }
    Candidate c = candidates.get(relay);
    if (c == null) {
      candidates.put(relay, new Candidate(relay, List.copyOf(addrs)));
    } else if (!addrs.isEmpty()) {
      c.addrs = List.copyOf(addrs);
    }
    fill(nowNanos);
  }

  /** The relay's answer to our RESERVE. */
  public void handleReserveAnswer(
      PeerId relay, HopMessage answer, long nowNanos, long nowUnixSeconds) {
    Candidate c = candidates.get(relay);
    if (c == null || !(c.state == State.RESERVING || c.renewing)) {
      return; // An answer after we gave up on it (disconnect, timeout): nothing to do.
    }
    Optional<String> wrong = check(answer, nowUnixSeconds);
    if (wrong.isPresent()) {
      fail(c, wrong.get(), nowNanos);
      return;
    }
    RelayReservation r = answer.reservation().orElseThrow();
    Optional<String> badVoucher = checkVoucher(relay, r);
    if (badVoucher.isPresent()) {
      ignoredVouchers++;
    }
    long lifetimeNanos = (r.expireUnixSeconds() - nowUnixSeconds) * NANOS_PER_SECOND;
    c.state = State.RESERVED;
    c.renewing = false;
    c.failures = 0;
    c.expiresAtNanos = nowNanos + lifetimeNanos;
    c.renewAtNanos = nowNanos + (long) (lifetimeNanos * config.renewFraction());
    c.circuitAddrs = circuitAddrs(relay, r.addrs().isEmpty() ? c.addrs : r.addrs());
    events.add(
        new RelayClientEvent.Reserved(
            relay,
            r.expireUnixSeconds(),
            answer.limit().orElse(RelayLimit.NONE),
            c.circuitAddrs,
            badVoucher));
  }

  private Optional<String> check(HopMessage answer, long nowUnixSeconds) {
    RelayStatus status = answer.status().orElse(null);
    if (answer.type() != HopMessage.Type.STATUS || status != RelayStatus.OK) {
      return Optional.of("refused: " + status);
    }
    if (answer.reservation().isEmpty()) {
      return Optional.of("OK without a reservation");
    }
    RelayReservation r = answer.reservation().get();
    if (r.expireUnixSeconds() <= nowUnixSeconds) {
      return Optional.of("reservation already expired (" + r.expireUnixSeconds() + ")");
    }
    return Optional.empty();
  }

  private Optional<String> checkVoucher(PeerId relay, RelayReservation r) {
    if (r.voucher().isPresent()) {
      try {
        ReservationVoucher.open(r.voucher().get(), relay, self, r.expireUnixSeconds());
      } catch (MalformedFrameException e) {
        return Optional.of("bad voucher (" + e.code() + "): " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** The RESERVE could not be sent or answered (dial failed, stream reset, timeout, bad bytes). */
  public void handleReserveFailed(PeerId relay, String reason, long nowNanos) {
    Candidate c = candidates.get(relay);
    if (c != null && (c.state == State.RESERVING || c.renewing)) {
      fail(c, reason, nowNanos);
    }
  }

  /** Our last connection to {@code relay} closed: its reservation is gone. */
  public void handleRelayDisconnected(PeerId relay, long nowNanos) {
    Candidate c = candidates.get(relay);
    if (c != null && (c.state == State.RESERVED || c.state == State.RESERVING)) {
      fail(c, "disconnected", nowNanos);
    }
  }

  public void handleTimeout(long nowNanos) {
    for (Candidate c : candidates.values()) {
      if (c.state != State.RESERVED) {
        continue;
      }
      if (nowNanos >= c.expiresAtNanos) {
        fail(c, "expired before it was renewed", nowNanos);
      } else if (nowNanos >= c.renewAtNanos && !c.renewing) {
        c.renewing = true;
        actions.add(new Reserve(c.id, c.addrs));
      }
    }
    fill(nowNanos);
  }

  public Optional<Reserve> pollAction() {
    return Optional.ofNullable(actions.poll());
  }

  public Optional<RelayClientEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  public OptionalLong pollTimeout() {
    long next = Long.MAX_VALUE;
    for (Candidate c : candidates.values()) {
      if (c.state == State.RESERVED) {
        next = Math.min(next, c.renewing ? c.expiresAtNanos : c.renewAtNanos);
      } else if (c.state == State.BACKOFF) {
        next = Math.min(next, c.retryAtNanos);
      }
    }
    return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
  }

  /** Vouchers that did not verify, in reservations accepted anyway (the relay's fault). */
  public long ignoredVouchers() {
    return ignoredVouchers;
  }

  /** Whether we hold a live reservation on {@code relay} (the stop side accepts only these). */
  public boolean hasReservation(PeerId relay) {
    Candidate c = candidates.get(relay);
    return c != null && c.state == State.RESERVED;
  }

  /** The relays we hold reservations on, in the order they were added. */
  public List<PeerId> reservedRelays() {
    List<PeerId> out = new ArrayList<>();
    candidates
        .values()
        .forEach(
            c -> {
              if (c.state == State.RESERVED) {
                out.add(c.id);
              }
            });
    return out;
  }

  /** The addresses to advertise: {@code <relay addr>/p2p/<relay>/p2p-circuit} per reservation. */
  public List<Multiaddr> circuitAddrs() {
    List<Multiaddr> out = new ArrayList<>();
    candidates
        .values()
        .forEach(
            c -> {
              if (c.state == State.RESERVED) {
                out.addAll(c.circuitAddrs);
              }
            });
    return out;
  }

  private static List<Multiaddr> circuitAddrs(PeerId relay, List<Multiaddr> relayAddrs) {
    Multiaddr circuit;
    try {
      circuit = Multiaddr.of(List.of(MultiaddrComponent.of(MultiaddrProtocol.P2P_CIRCUIT)));
    } catch (MalformedFrameException e) {
      throw new IllegalStateException("/p2p-circuit is a valid address", e);
    }
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : relayAddrs) {
      Optional<PeerId> named = a.peerId();
      if (named.isPresent() && !named.get().equals(relay)) {
        continue; // An address of another peer has no place in this relay's reservation.
      }
      Multiaddr addr = a.withPeerId(relay).encapsulate(circuit);
      if (!out.contains(addr)) {
        out.add(addr);
      }
    }
    return out;
  }

  private void fail(Candidate c, String reason, long nowNanos) {
    boolean had = c.state == State.RESERVED;
    c.state = State.BACKOFF;
    c.renewing = false;
    c.circuitAddrs = List.of();
    c.failures++;
    long base = config.retryBase().toNanos();
    long wait = base << Math.min(c.failures - 1, 30);
    c.retryAtNanos =
        nowNanos
            + (wait < 0
                ? config.retryMax().toNanos()
                : Math.min(wait, config.retryMax().toNanos()));
    events.add(new RelayClientEvent.Failed(c.id, had, reason));
    fill(nowNanos);
  }

  /** Starts reservations until {@code wantedRelays} are held or being made. */
  private void fill(long nowNanos) {
    long active =
        candidates.values().stream()
            .filter(c -> c.state == State.RESERVED || c.state == State.RESERVING)
            .count();
    for (Candidate c : candidates.values()) {
      if (active >= config.wantedRelays()) {
        return;
      }
      if (c.state == State.IDLE || (c.state == State.BACKOFF && c.retryAtNanos <= nowNanos)) {
        c.state = State.RESERVING;
        actions.add(new Reserve(c.id, c.addrs));
        active++;
      }
    }
  }
}
