package org.grapevine.libp2p.observed;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * Our own addresses as peers see them (identify's {@code observedAddr}), collected per connection
 * and confirmed before use. Sans-I/O and not thread-safe: the host calls it under a lock with its
 * clock's time.
 *
 * <p>Rules, checked in this order for every observation:
 *
 * <ol>
 *   <li>Only {@code /ip4|ip6/.../tcp/port} observations are used (others are counted as {@link
 *       Outcome#IGNORED_UNUSABLE}); reserved addresses (unspecified, documentation, multicast) are
 *       nobody's and ignored.
 *   <li>The port. On a connection whose local port is one of our listen ports (an inbound one, or
 *       an outbound one that reused the port) the observed address is taken as it is. On any other
 *       (an outbound connection from an ephemeral port) the observed port is the NAT's mapping of
 *       that ephemeral port and useless to others, so the candidate is the observed IP with each of
 *       our listen ports of that family: a guess that AutoNAT then tests. Without listen addresses
 *       such observations are ignored.
 *   <li>Loopback and private observations go to a separate LAN set (usable by peers on the same
 *       network, as mDNS does) and never take part in confirming a public address.
 *   <li>A public address counts only when the observer itself connected from a public IP: a peer on
 *       our LAN cannot tell what the internet sees.
 *   <li>Confirmation: an address is confirmed while at least {@code activationThreshold} distinct
 *       observer networks ({@link IpScope#group}: IPv4 /16, IPv6 /48) reported it within the
 *       window, so that one network, however many peers it runs, cannot confirm an address alone.
 *       Every report refreshes its network's time; networks silent for a window stop counting, and
 *       an address with none left is forgotten.
 * </ol>
 *
 * <p>Bounded: {@code maxAddrs} public candidates (the least recently reported evicted), {@code
 * maxObserversPerAddr} networks each (the stalest evicted), {@code maxLanAddrs} LAN addresses.
 *
 * <p>Discrepancy with go-libp2p: go forgets a connection's observation when it closes; we keep it
 * until the window passes, since a NAT mapping does not change because one connection ended, and a
 * small network would otherwise rarely hold four observers at once.
 */
public final class ObservedAddrs {
  /** What became of one observation. */
  public enum Outcome {
    RECORDED_PUBLIC,
    RECORDED_LAN,
    /** Not a TCP address over IP, reserved, or no listen port to pair an ephemeral one with. */
    IGNORED_UNUSABLE,
    /** A public address reported by a peer that reached us from a non-public IP. */
    IGNORED_UNTRUSTED_OBSERVER
  }

  private final ObservedAddrsConfig config;
  private final Map<Multiaddr, Map<String, Long>> candidates = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<Multiaddr, Long> lan = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
  private List<Multiaddr> listenAddrs = List.of();

  public ObservedAddrs(ObservedAddrsConfig config) {
    this.config = config;
  }

  /** Our listen addresses (with their actual ports), for rule 2. */
  public void setListenAddrs(List<Multiaddr> addrs) {
    this.listenAddrs = List.copyOf(addrs);
  }

  /**
   * One identify result's observed address.
   *
   * @param observerAddr the reporting peer's address on that connection (its IP is the observer)
   * @param localAddr our end of that connection
   * @param observed what the peer says our address is
   */
  public Outcome handleObservation(
      Multiaddr observerAddr, Multiaddr localAddr, Multiaddr observed, long nowNanos) {
    Outcome outcome = record(observerAddr, localAddr, observed, nowNanos);
    counts.merge(outcome, 1L, Long::sum);
    return outcome;
  }

  private Outcome record(
      Multiaddr observerAddr, Multiaddr localAddr, Multiaddr observed, long nowNanos) {
    Optional<InetSocketAddress> seen = observed.withoutPeerId().tcpSocketAddress();
    Optional<InetSocketAddress> local = localAddr.tcpSocketAddress();
    Optional<InetSocketAddress> observer = observerAddr.tcpSocketAddress();
    if (seen.isEmpty() || local.isEmpty() || observer.isEmpty()) {
      return Outcome.IGNORED_UNUSABLE;
    }
    IpScope scope = IpScope.of(seen.get().getAddress());
    List<Multiaddr> addrs = candidatesFor(seen.get(), local.get().getPort());
    if (scope == IpScope.RESERVED || addrs.isEmpty()) {
      return Outcome.IGNORED_UNUSABLE;
    }
    if (scope != IpScope.PUBLIC) {
      for (Multiaddr a : addrs) {
        lan.put(a, nowNanos);
        evictEldest(lan, config.maxLanAddrs());
      }
      return Outcome.RECORDED_LAN;
    }
    InetAddress observerIp = observer.get().getAddress();
    if (IpScope.of(observerIp) != IpScope.PUBLIC) {
      return Outcome.IGNORED_UNTRUSTED_OBSERVER;
    }
    String group = IpScope.group(observerIp);
    for (Multiaddr a : addrs) {
      Map<String, Long> groups = candidates.computeIfAbsent(a, k -> new HashMap<>());
      groups.put(group, nowNanos);
      if (groups.size() > config.maxObserversPerAddr()) {
        groups.entrySet().stream()
            .min(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .ifPresent(groups::remove);
      }
      evictEldest(candidates, config.maxAddrs());
    }
    return Outcome.RECORDED_PUBLIC;
  }

  /** Rule 2: the address as observed, or its IP with each listen port of its family. */
  private List<Multiaddr> candidatesFor(InetSocketAddress seen, int localPort) {
    List<Multiaddr> out = new ArrayList<>();
    TreeSet<Integer> ports = new TreeSet<>();
    for (Multiaddr l : listenAddrs) {
      l.tcpSocketAddress()
          .filter(s -> s.getAddress().getClass() == seen.getAddress().getClass())
          .ifPresent(s -> ports.add(s.getPort()));
    }
    if (ports.contains(localPort)) {
      out.add(Multiaddr.of(seen));
    } else {
      for (int port : ports) {
        out.add(Multiaddr.of(new InetSocketAddress(seen.getAddress(), port)));
      }
    }
    return out;
  }

  private static <K, V> void evictEldest(Map<K, V> accessOrdered, int max) {
    Iterator<K> it = accessOrdered.keySet().iterator();
    while (accessOrdered.size() > max && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** Drops observations older than the window, and addresses left with none. */
  public void handleTimeout(long nowNanos) {
    long oldest = nowNanos - config.windowNanos();
    candidates.values().forEach(g -> g.values().removeIf(t -> t - oldest <= 0));
    candidates.values().removeIf(Map::isEmpty);
    lan.values().removeIf(t -> t - oldest <= 0);
  }

  /** Public addresses confirmed now, the most widely observed first. */
  public List<Multiaddr> confirmed(long nowNanos) {
    handleTimeout(nowNanos);
    List<Map.Entry<Multiaddr, Map<String, Long>>> ok = new ArrayList<>();
    for (Map.Entry<Multiaddr, Map<String, Long>> e : candidates.entrySet()) {
      if (e.getValue().size() >= config.activationThreshold()) {
        ok.add(e);
      }
    }
    ok.sort(
        Comparator.comparingInt((Map.Entry<Multiaddr, Map<String, Long>> e) -> -e.getValue().size())
            .thenComparing(e -> e.getKey().toString()));
    List<Multiaddr> out = new ArrayList<>(ok.size());
    ok.forEach(e -> out.add(e.getKey()));
    return out;
  }

  /** Public addresses seen but not (yet) confirmed, with their observer-network counts. */
  public Map<Multiaddr, Integer> unconfirmed(long nowNanos) {
    handleTimeout(nowNanos);
    Map<Multiaddr, Integer> out = new LinkedHashMap<>();
    candidates.forEach(
        (a, g) -> {
          if (g.size() < config.activationThreshold()) {
            out.put(a, g.size());
          }
        });
    return out;
  }

  /** Loopback and private addresses peers on our networks saw, most recent last. */
  public List<Multiaddr> lanAddrs(long nowNanos) {
    handleTimeout(nowNanos);
    return List.copyOf(lan.keySet());
  }

  /** How many observations ended in {@code outcome} since the start. */
  public long count(Outcome outcome) {
    return counts.getOrDefault(outcome, 0L);
  }
}
