package org.grapevine.node.discovery;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.discovery.dns.DnsaddrResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the bootstrap names of the config ({@link DiscoveryConfig#bootstrapNames}) and hands
 * what they resolve to to discovery, as bootstrap peers.
 *
 * <p>Rules: each name is resolved at start; one that yields no address (no internet, no such name,
 * every record filtered out) is retried after {@link #RETRY_BASE}, doubling up to {@link
 * #RETRY_CAP}, for as long as the node runs. The first failure of a name is logged at INFO, later
 * ones at DEBUG, so an offline node logs each name once; nothing here is fatal: a node without DNS
 * works on its LAN (mDNS) and with its stored peers. A name that resolved is resolved again every
 * {@link #RERESOLVE} (the public bootstrap peers' addresses change now and then; a node may run for
 * weeks); what it resolves to then is added to what discovery knows, whose peers stay bootstrap
 * peers, redialed with backoff. Every resolution is counted, by outcome ({@link #counts}).
 */
final class BootstrapNames {
  private static final Logger log = LoggerFactory.getLogger(BootstrapNames.class);
  static final Duration RETRY_BASE = Duration.ofSeconds(10);
  static final Duration RETRY_CAP = Duration.ofMinutes(30);
  static final Duration RERESOLVE = Duration.ofHours(24);

  /** Where resolved peers go (on any thread). */
  interface Sink {
    void onResolved(PeerId peer, List<Multiaddr> addrs);
  }

  private final DnsaddrResolver resolver;
  private final EventExecutor loop;
  private final Sink sink;
  private volatile boolean closed;
  private final AtomicLong resolved = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  BootstrapNames(DnsaddrResolver resolver, EventExecutor loop, Sink sink) {
    this.resolver = resolver;
    this.loop = loop;
    this.sink = sink;
  }

  void start(List<Multiaddr> names) {
    for (Multiaddr name : names) {
      resolve(name, 0);
    }
  }

  void close() {
    closed = true;
  }

  /** Resolutions so far, by outcome: "resolved" (some address), "failed" (none). Any thread. */
  Map<String, Long> counts() {
    return Map.of("resolved", resolved.get(), "failed", failed.get());
  }

  @SuppressWarnings("FutureReturnValueIgnored") // A terminal callback; resolve() never fails.
  private void resolve(Multiaddr name, int failures) {
    if (closed) {
      return;
    }
    resolver
        .resolve(name)
        .thenAccept(
            r -> {
              if (closed) {
                return;
              }
              if (!r.addrs().isEmpty()) {
                log.info(
                    "bootstrap {} resolved to {} addresses{}",
                    name,
                    r.addrs().size(),
                    r.problems().isEmpty() ? "" : " (" + String.join("; ", r.problems()) + ")");
                resolved.incrementAndGet();
                byPeer(r.addrs()).forEach(sink::onResolved);
                loop.schedule(() -> resolve(name, 0), RERESOLVE.toNanos(), TimeUnit.NANOSECONDS);
                return;
              }
              failed.incrementAndGet();
              long delayNanos = retryDelayNanos(failures + 1);
              String why =
                  r.problems().isEmpty()
                      ? "no usable address (" + r.skipped() + " records skipped)"
                      : String.join("; ", r.problems());
              if (failures == 0) {
                log.info(
                    "cannot resolve bootstrap {}: {}; retrying with backoff (the node works on"
                        + " its LAN and with its known peers meanwhile)",
                    name,
                    why);
              } else {
                log.debug("bootstrap {} still unresolved: {}", name, why);
              }
              loop.schedule(() -> resolve(name, failures + 1), delayNanos, TimeUnit.NANOSECONDS);
            });
  }

  /** Delay before the {@code failures}-th retry: base doubled each time, capped. */
  static long retryDelayNanos(int failures) {
    long base = RETRY_BASE.toNanos();
    int doublings = Math.min(failures - 1, 20);
    return Math.min(base << doublings, RETRY_CAP.toNanos());
  }

  private static Map<PeerId, List<Multiaddr>> byPeer(List<Multiaddr> addrs) {
    Map<PeerId, List<Multiaddr>> out = new LinkedHashMap<>();
    for (Multiaddr a : addrs) {
      out.computeIfAbsent(a.peerId().orElseThrow(), k -> new ArrayList<>()).add(a);
    }
    return out;
  }
}
