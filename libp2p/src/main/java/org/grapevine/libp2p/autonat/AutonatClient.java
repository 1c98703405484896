package org.grapevine.libp2p.autonat;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialResponse;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.observed.IpScope;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The AutoNAT v2 client (libp2p/specs autonat/autonat-v2.md): asks servers to dial our candidate
 * addresses back and turns their answers into a {@link Reachability}. Sans-I/O, not thread-safe.
 *
 * <p>Call order: {@code handle*} with non-decreasing {@code nowNanos}; then drain {@link
 * #pollRequest} (send each), then {@link #pollEvent}, then re-arm the timer from {@link
 * #pollTimeout}.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Candidates are {@code /ip4|ip6/.../tcp/port} addresses with a public IP (the spec: clients
 *       SHOULD NOT send private addresses), the first {@code maxCandidates} given; the test-only
 *       {@code allowPrivateAddrs} lets loopback and private ones through.
 *   <li>One address per request, so that every answer is about that address; at most one request
 *       per address and per server at a time, {@code maxConcurrentRequests} in all. A server that
 *       has not answered about the address yet is preferred, then the one whose answer is oldest;
 *       ties are broken with the injected randomness.
 *   <li>Dial data: paid only for index 0 (the one address we sent) and up to {@code
 *       maxDialDataBytes}; otherwise the driver resets the stream.
 *   <li>Verification: a dial back counts only if it carries the nonce of a request in flight and
 *       arrives on a connection whose local port is the tested address's port (the spec's check
 *       that the server dialled that address's transport). A response claiming {@code OK} without
 *       such a dial back is discarded ("If the nonce is different, it MUST discard this response").
 *       A verified dial back is proof of reachability even if the server then reports an error.
 *   <li>{@code E_DIAL_ERROR}: a failure for the address. {@code E_DIAL_BACK_ERROR} without a dial
 *       back: no answer. {@code E_DIAL_REFUSED}: the server is not asked about that address again
 *       for the TTL. {@code E_REQUEST_REJECTED}, {@code E_INTERNAL_ERROR}, a broken stream or a
 *       timeout: the server is left alone for {@code serverBackoffNanos}. Unknown statuses:
 *       discarded.
 *   <li>Confidence per address ({@link AddrCheck}); the host is {@code PUBLIC} if any address is,
 *       else {@code PRIVATE} if any address is, else {@code UNKNOWN}. Settled addresses are asked
 *       about again every {@code recheckIntervalNanos}, unsettled ones every {@code
 *       probeIntervalNanos}.
 * </ol>
 *
 * <p>Discrepancies with the spec's suggestions: the default confidence is 3 servers, not "more than
 * 3" (see {@link AutonatClientConfig#confidence}); requests carry one address, not a priority list,
 * so we never learn about low-priority guesses for free; a verified dial back counts as reachable
 * even when the server then reports {@code E_DIAL_BACK_ERROR} or {@code E_DIAL_ERROR} (the nonce
 * reached us over that address, which is what the test is about).
 */
public final class AutonatClient {
  /** Counters of what became of requests and dial backs. */
  public enum Counter {
    REQUESTS,
    REACHABLE,
    UNREACHABLE,
    REFUSED,
    REJECTED,
    FAILED,
    DISCARDED_UNVERIFIED,
    DISCARDED_MALFORMED,
    DIAL_BACK_UNKNOWN_NONCE,
    DIAL_BACK_WRONG_PORT,
    DIAL_DATA_PAID,
    DIAL_DATA_REFUSED
  }

  private static final class Request {
    final ClientRequest wire;
    final Multiaddr addr;
    final long deadlineNanos;
    boolean dialedBack;

    Request(ClientRequest wire, long deadlineNanos) {
      this.wire = wire;
      this.addr = wire.addrs().get(0);
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final AutonatClientConfig config;
  private final RandomGenerator random;
  private final Map<Multiaddr, AddrCheck> checks = new LinkedHashMap<>();
  private final Set<PeerId> servers = new LinkedHashSet<>();
  private final Map<PeerId, Long> backoffUntil = new HashMap<>();
  private final Map<Long, Request> requests = new HashMap<>();
  private final ArrayDeque<ClientRequest> outbound = new ArrayDeque<>();
  private final ArrayDeque<AutonatEvent> events = new ArrayDeque<>();
  private final Map<Counter, Long> counters = new EnumMap<>(Counter.class);
  private Reachability reachability = Reachability.UNKNOWN;
  private long nextId = 1;
  private long lastNowNanos = Long.MIN_VALUE;

  public AutonatClient(AutonatClientConfig config, RandomGenerator random) {
    this.config = config;
    this.random = random;
  }

  /** Our addresses to test: listen addresses and confirmed observed ones, best first. */
  public void handleCandidates(List<Multiaddr> addrs, long nowNanos) {
    Set<Multiaddr> wanted = new LinkedHashSet<>();
    for (Multiaddr a : addrs) {
      Multiaddr bare = a.withoutPeerId();
      if (wanted.size() < config.maxCandidates() && testable(bare)) {
        wanted.add(bare);
      }
    }
    checks.keySet().retainAll(wanted);
    for (Multiaddr a : wanted) {
      checks.computeIfAbsent(a, k -> new AddrCheck(nowNanos));
    }
    update(nowNanos);
  }

  /** {@code peer} speaks {@code /libp2p/autonat/2/dial-request} and is connected. */
  public void handleServerAvailable(PeerId peer, long nowNanos) {
    servers.add(peer);
    update(nowNanos);
  }

  /** {@code peer} is gone or no longer serves AutoNAT; its answers stay until they expire. */
  public void handleServerGone(PeerId peer, long nowNanos) {
    servers.remove(peer);
    update(nowNanos);
  }

  /** The server of request {@code id} asks for dial data: whether to pay (else reset). */
  public boolean handleDialDataRequest(long id, int addrIdx, long numBytes, long nowNanos) {
    boolean ok =
        requests.containsKey(id)
            && addrIdx == 0
            && numBytes > 0
            && numBytes <= config.maxDialDataBytes();
    count(ok ? Counter.DIAL_DATA_PAID : Counter.DIAL_DATA_REFUSED);
    return ok;
  }

  /**
   * A {@code DialBack} with {@code nonce} arrived on a connection whose local address is {@code
   * localAddr}. Returns whether it matched a request in flight (answer OK then; reset otherwise).
   */
  public boolean handleDialBack(long nonce, Multiaddr localAddr, long nowNanos) {
    for (Request r : requests.values()) {
      if (r.wire.nonce() == nonce) {
        Optional<InetSocketAddress> local = localAddr.tcpSocketAddress();
        Optional<InetSocketAddress> tested = r.addr.tcpSocketAddress();
        if (local.isEmpty()
            || tested.isEmpty()
            || local.get().getPort() != tested.get().getPort()) {
          count(Counter.DIAL_BACK_WRONG_PORT);
          return false;
        }
        r.dialedBack = true;
        return true;
      }
    }
    count(Counter.DIAL_BACK_UNKNOWN_NONCE);
    return false;
  }

  /** The server's {@code DialResponse} to request {@code id}. */
  public void handleResponse(long id, DialResponse response, long nowNanos) {
    Request r = requests.remove(id);
    if (r == null) {
      return;
    }
    PeerId server = r.wire.server();
    AddrCheck check = checks.get(r.addr);
    if (check != null) {
      check.inFlight = false;
      check.nextCheckNanos = nowNanos + config.probeIntervalNanos();
    }
    switch (response.status()) {
      case OK -> onDialOutcome(r, check, response, nowNanos);
      case E_DIAL_REFUSED -> {
        count(Counter.REFUSED);
        if (check != null) {
          check.refusedBy.put(server, nowNanos);
        }
      }
      case E_REQUEST_REJECTED, E_INTERNAL_ERROR -> {
        count(Counter.REJECTED);
        backoffUntil.put(server, nowNanos + config.serverBackoffNanos());
      }
      default -> count(Counter.DISCARDED_MALFORMED);
    }
    update(nowNanos);
  }

  private void onDialOutcome(Request r, AddrCheck check, DialResponse response, long nowNanos) {
    Boolean reachable;
    if (response.addrIdx() != 0 || response.dialStatus() == DialStatus.UNKNOWN) {
      count(Counter.DISCARDED_MALFORMED);
      return;
    } else if (r.dialedBack) {
      reachable = true;
    } else if (response.dialStatus() == DialStatus.E_DIAL_ERROR) {
      reachable = false;
    } else if (response.dialStatus() == DialStatus.OK) {
      count(Counter.DISCARDED_UNVERIFIED);
      return;
    } else {
      return; // E_DIAL_BACK_ERROR or UNUSED without a dial back: no answer either way
    }
    count(reachable ? Counter.REACHABLE : Counter.UNREACHABLE);
    if (check != null) {
      check.answers.put(r.wire.server(), new AddrCheck.Answer(reachable, nowNanos));
    }
  }

  /** Request {@code id} failed: the stream broke, the peer misbehaved, or we refused to pay. */
  public void handleFailure(long id, long nowNanos) {
    Request r = requests.remove(id);
    if (r == null) {
      return;
    }
    count(Counter.FAILED);
    backoffUntil.put(r.wire.server(), nowNanos + config.serverBackoffNanos());
    AddrCheck check = checks.get(r.addr);
    if (check != null) {
      check.inFlight = false;
      check.nextCheckNanos = nowNanos + config.probeIntervalNanos();
    }
    update(nowNanos);
  }

  /** Times out requests, expires answers, starts due checks. */
  public void handleTimeout(long nowNanos) {
    for (Request r : List.copyOf(requests.values())) {
      if (r.deadlineNanos - nowNanos <= 0) {
        handleFailure(r.wire.id(), nowNanos);
      }
    }
    update(nowNanos);
  }

  public Optional<ClientRequest> pollRequest() {
    return Optional.ofNullable(outbound.poll());
  }

  public Optional<AutonatEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** The next time {@link #handleTimeout} has something to do. */
  public OptionalLong pollTimeout() {
    long t = Long.MAX_VALUE;
    for (Request r : requests.values()) {
      t = Math.min(t, r.deadlineNanos);
    }
    for (AddrCheck c : checks.values()) {
      // A check already due could not start (no free server): an answer, a new server, or a
      // backoff or refusal running out (all below, or inputs) is what can change that.
      if (!c.inFlight && c.nextCheckNanos - lastNowNanos > 0) {
        t = Math.min(t, c.nextCheckNanos);
      }
      t = Math.min(t, c.nextExpiry(config.resultTtlNanos()));
    }
    for (long b : backoffUntil.values()) {
      t = Math.min(t, b);
    }
    return t == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(t);
  }

  public Reachability reachability() {
    return reachability;
  }

  /** Candidate addresses found reachable. */
  public List<Multiaddr> publicAddrs() {
    List<Multiaddr> out = new ArrayList<>();
    checks.forEach(
        (a, c) -> {
          if (c.verdict == Reachability.PUBLIC) {
            out.add(a);
          }
        });
    return out;
  }

  /** The verdict on one candidate address (UNKNOWN for one that is not a candidate). */
  public Reachability reachability(Multiaddr addr) {
    AddrCheck c = checks.get(addr.withoutPeerId());
    return c == null ? Reachability.UNKNOWN : c.verdict;
  }

  public long counter(Counter c) {
    return counters.getOrDefault(c, 0L);
  }

  private boolean testable(Multiaddr a) {
    Optional<InetSocketAddress> tcp = a.tcpSocketAddress();
    if (tcp.isEmpty() || tcp.get().getPort() == 0) {
      return false;
    }
    IpScope scope = IpScope.of(tcp.get().getAddress());
    return scope == IpScope.PUBLIC
        || (config.allowPrivateAddrs() && (scope == IpScope.LOOPBACK || scope == IpScope.PRIVATE));
  }

  /** Expires state, recomputes verdicts (emitting events) and starts due requests. */
  private void update(long nowNanos) {
    lastNowNanos = nowNanos;
    backoffUntil.values().removeIf(t -> t - nowNanos <= 0);
    for (Map.Entry<Multiaddr, AddrCheck> e : checks.entrySet()) {
      AddrCheck c = e.getValue();
      c.expire(nowNanos, config.resultTtlNanos());
      Reachability v = c.computeVerdict(config.confidence());
      if (v != c.verdict) {
        events.add(new AutonatEvent.AddrReachabilityChanged(e.getKey(), c.verdict, v));
        c.verdict = v;
      }
      if (v != Reachability.UNKNOWN && !c.inFlight) {
        // Settled: the next question waits for the recheck interval, counted from the last answer.
        long last =
            c.answers.values().stream().mapToLong(AddrCheck.Answer::atNanos).max().orElse(0);
        c.nextCheckNanos = Math.max(c.nextCheckNanos, last + config.recheckIntervalNanos());
      }
    }
    Reachability now = overall();
    if (now != reachability) {
      events.add(new AutonatEvent.ReachabilityChanged(reachability, now, publicAddrs()));
      reachability = now;
    }
    startDue(nowNanos);
  }

  private Reachability overall() {
    boolean anyPrivate = false;
    for (AddrCheck c : checks.values()) {
      if (c.verdict == Reachability.PUBLIC) {
        return Reachability.PUBLIC;
      }
      anyPrivate |= c.verdict == Reachability.PRIVATE;
    }
    return anyPrivate ? Reachability.PRIVATE : Reachability.UNKNOWN;
  }

  /**
   * Starts requests for the due checks, the longest-waiting first (ties in candidate order). In
   * candidate order alone, a server that fails every request about the first address (js's server
   * closes the stream without an answer for a private address) would be asked about that one again
   * each time its backoff ends, and never about the others.
   */
  private void startDue(long nowNanos) {
    Set<PeerId> busy = new LinkedHashSet<>();
    requests.values().forEach(r -> busy.add(r.wire.server()));
    List<Map.Entry<Multiaddr, AddrCheck>> due = new ArrayList<>();
    for (Map.Entry<Multiaddr, AddrCheck> e : checks.entrySet()) {
      AddrCheck c = e.getValue();
      if (!c.inFlight && c.nextCheckNanos - nowNanos <= 0) {
        due.add(e);
      }
    }
    // Stable sort; wrap-safe comparison of nano times.
    due.sort((x, y) -> Long.signum(x.getValue().nextCheckNanos - y.getValue().nextCheckNanos));
    for (Map.Entry<Multiaddr, AddrCheck> e : due) {
      AddrCheck c = e.getValue();
      if (requests.size() >= config.maxConcurrentRequests()) {
        return;
      }
      PeerId server = pickServer(c, busy);
      if (server == null) {
        continue;
      }
      busy.add(server);
      c.inFlight = true;
      ClientRequest wire =
          new ClientRequest(nextId++, server, List.of(e.getKey()), random.nextLong());
      requests.put(wire.id(), new Request(wire, nowNanos + config.requestTimeoutNanos()));
      outbound.add(wire);
      count(Counter.REQUESTS);
    }
  }

  /** Rule 2: unasked servers first, then the stalest answer; random among equals. */
  private PeerId pickServer(AddrCheck c, Set<PeerId> busy) {
    PeerId best = null;
    long bestAge = 0;
    int ties = 0;
    for (PeerId s : servers) {
      if (busy.contains(s) || backoffUntil.containsKey(s) || c.refusedBy.containsKey(s)) {
        continue;
      }
      AddrCheck.Answer a = c.answers.get(s);
      long rank = a == null ? Long.MIN_VALUE : a.atNanos();
      if (best == null || rank < bestAge) {
        best = s;
        bestAge = rank;
        ties = 1;
      } else if (rank == bestAge && random.nextInt(++ties) == 0) {
        best = s;
      }
    }
    return best;
  }

  private void count(Counter c) {
    counters.merge(c, 1L, Long::sum);
  }
}
