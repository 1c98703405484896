package org.grapevine.node.discovery.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The DNS queries {@link DnsaddrResolver} needs. Each completes with the records, or exceptionally
 * when none came back (no such name, no record of the type, no answer in time); the exception's
 * message says which, for the log.
 */
public interface DnsLookup {
  /** The TXT records of {@code name}, each one's character-strings joined. */
  CompletableFuture<List<String>> txt(String name);

  /** The A ({@code ipv6} false) or AAAA records of {@code name}. */
  CompletableFuture<List<InetAddress>> addresses(String name, boolean ipv6);
}
