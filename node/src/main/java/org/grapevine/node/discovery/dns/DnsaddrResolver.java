package org.grapevine.node.discovery.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrComponent;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.multiaddr.MultiaddrProtocol;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Resolves a bootstrap name to dialable {@code /ip4|ip6/.../tcp/.../p2p/<id>} addresses (spec:
 * multiformats/multiaddr protocols/DNSADDR.md).
 *
 * <ul>
 *   <li>{@code /dnsaddr/<name>[/p2p/<id>]}: the TXT records of {@code _dnsaddr.<name>}; each that
 *       reads {@code dnsaddr=<multiaddr>} is resolved in turn (recursively, for a {@code /dnsaddr}
 *       or {@code /dns*} one). With {@code /p2p/<id>}, only records for that peer are kept (a
 *       record with another {@code /p2p} is dropped; one without is followed, and its results
 *       filtered).
 *   <li>{@code /dns4|dns6|dns/<name>/tcp/<port>/p2p/<id>}: the A, AAAA or both records of the name.
 * </ul>
 *
 * <p>Limits, per {@link #resolve} call: nesting {@value #MAX_DEPTH} deep, {@value #MAX_LOOKUPS} DNS
 * queries, {@value #MAX_RECORDS} records read per answer, {@value #MAX_ADDRS} addresses. Records
 * beyond them are skipped and said in {@link Result#problems}, as is every failed query and
 * unreadable record: one bad branch never spoils the others.
 *
 * <p>Discrepancies: only TCP results are kept (the node has no other transport), and only a {@code
 * /p2p} suffix filters (the spec allows any suffix; libp2p uses only this one). Thread-safe: each
 * call keeps its own state.
 */
public final class DnsaddrResolver {
  public static final int MAX_DEPTH = 4;
  public static final int MAX_LOOKUPS = 32;
  public static final int MAX_RECORDS = 64;
  public static final int MAX_ADDRS = 64;
  private static final int MAX_PROBLEMS = 16;
  private static final String PREFIX = "dnsaddr=";

  /**
   * What a name resolved to.
   *
   * @param addrs dialable addresses, each ending in {@code /p2p/<id>}, in the order found
   * @param skipped records that were well formed but unusable here (not TCP, no peer id, another
   *     peer id than asked for)
   * @param problems failed queries, unreadable records and limits reached, for the log
   */
  public record Result(List<Multiaddr> addrs, int skipped, List<String> problems) {}

  private final DnsLookup lookup;

  public DnsaddrResolver(DnsLookup lookup) {
    this.lookup = lookup;
  }

  /** Resolves {@code name}; never completes exceptionally (failures are in the result). */
  public CompletableFuture<Result> resolve(Multiaddr name) {
    Run run = new Run();
    return run.step(name, null, 0).handle((v, e) -> run.result(e));
  }

  /** The state of one resolution; callbacks may come from any thread. */
  private final class Run {
    private final Set<Multiaddr> addrs = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();
    private int lookups;
    private int skipped;

    synchronized Result result(Throwable bug) {
      if (bug != null) {
        problem("internal error: " + bug);
      }
      return new Result(List.copyOf(addrs), skipped, List.copyOf(problems));
    }

    CompletableFuture<Void> step(Multiaddr a, PeerId wanted, int depth) {
      List<MultiaddrComponent> c = a.components();
      Optional<PeerId> own = a.peerId();
      if (wanted != null && own.isPresent() && !own.get().equals(wanted)) {
        return skip();
      }
      PeerId filter = wanted != null ? wanted : own.orElse(null);
      MultiaddrProtocol first = c.isEmpty() ? null : c.get(0).protocol();
      if (first == MultiaddrProtocol.IP4 || first == MultiaddrProtocol.IP6) {
        if (own.isEmpty() || a.withoutPeerId().tcpSocketAddress().isEmpty()) {
          return skip();
        }
        add(a);
        return done();
      }
      if (first == MultiaddrProtocol.DNSADDR) {
        return dnsaddr(c.get(0).valueText(), filter, depth);
      }
      if (first == MultiaddrProtocol.DNS
          || first == MultiaddrProtocol.DNS4
          || first == MultiaddrProtocol.DNS6) {
        if (own.isEmpty() || c.size() != 3 || c.get(1).protocol() != MultiaddrProtocol.TCP) {
          return skip();
        }
        return dnsHost(first, c.get(0).valueText(), c.get(1), own.get());
      }
      return skip();
    }

    private CompletableFuture<Void> dnsaddr(String name, PeerId filter, int depth) {
      if (depth >= MAX_DEPTH) {
        problem("/dnsaddr/" + name + ": nested more than " + MAX_DEPTH + " deep, not followed");
        return done();
      }
      if (!takeLookup(name)) {
        return done();
      }
      String query = "_dnsaddr." + name;
      return lookup
          .txt(query)
          .exceptionally(
              e -> {
                problem("TXT " + query + ": " + message(e));
                return List.of();
              })
          .thenCompose(records -> follow(query, records, filter, depth));
    }

    /** Resolves each {@code dnsaddr=} record of one answer, one level deeper. */
    private CompletableFuture<Void> follow(
        String query, List<String> records, PeerId filter, int depth) {
      List<CompletableFuture<Void>> next = new ArrayList<>();
      int n = 0;
      for (String r : records) {
        if (!r.startsWith(PREFIX)) {
          continue; // Other TXT records may share the name; they are not ours.
        }
        if (++n > MAX_RECORDS) {
          problem("TXT " + query + ": more than " + MAX_RECORDS + " records, rest skipped");
          break;
        }
        try {
          next.add(step(Multiaddr.parse(r.substring(PREFIX.length())), filter, depth + 1));
        } catch (MultiaddrFormatException bad) {
          problem("TXT " + query + ": unreadable record (" + bad.getMessage() + ")");
        }
      }
      return CompletableFuture.allOf(next.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> dnsHost(
        MultiaddrProtocol family, String name, MultiaddrComponent tcp, PeerId peer) {
      List<CompletableFuture<Void>> queries = new ArrayList<>();
      int port = Integer.parseInt(tcp.valueText());
      for (boolean ipv6 : new boolean[] {false, true}) {
        boolean wanted =
            family == MultiaddrProtocol.DNS || (family == MultiaddrProtocol.DNS6) == ipv6;
        if (!wanted || !takeLookup(name)) {
          continue;
        }
        queries.add(
            lookup
                .addresses(name, ipv6)
                .handle(
                    (ips, e) -> {
                      if (e != null) {
                        // /dns asks both families; a name with only one is normal.
                        if (family != MultiaddrProtocol.DNS) {
                          problem((ipv6 ? "AAAA " : "A ") + name + ": " + message(e));
                        }
                        return null;
                      }
                      for (InetAddress ip : ips) {
                        if ((ip instanceof Inet4Address) != ipv6) {
                          add(Multiaddr.of(new InetSocketAddress(ip, port)).withPeerId(peer));
                        }
                      }
                      return null;
                    }));
      }
      return CompletableFuture.allOf(queries.toArray(CompletableFuture[]::new));
    }

    private synchronized boolean takeLookup(String name) {
      if (lookups >= MAX_LOOKUPS) {
        problem(name + ": not looked up, " + MAX_LOOKUPS + " DNS queries already made");
        return false;
      }
      lookups++;
      return true;
    }

    private synchronized void add(Multiaddr a) {
      if (addrs.size() < MAX_ADDRS) {
        addrs.add(a);
      } else if (!addrs.contains(a)) {
        skipped++;
        problem("more than " + MAX_ADDRS + " addresses; " + a + " left out");
      }
    }

    private synchronized CompletableFuture<Void> skip() {
      skipped++;
      return done();
    }

    private synchronized void problem(String p) {
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(p);
      }
    }
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static String message(Throwable e) {
    Throwable t =
        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause()
            : e;
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return t.getCause() != null && t.getCause().getMessage() != null
        ? m + " (" + t.getCause().getMessage() + ")"
        : m;
  }
}
