package org.grapevine.libp2p.mdns;

import java.time.Duration;

/**
 * Settings of an {@link MdnsSession}. {@link #DEFAULT} matches js-libp2p's {@code @libp2p/mdns}
 * where a peer could notice: a query every 10 s, records valid for 120 s.
 *
 * @param serviceName the DNS-SD service, {@code _p2p._udp.local} (libp2p mDNS spec); a private
 *     network may use its own so that it never hears the public one
 * @param queryInterval time between our queries
 * @param ttlSeconds TTL of the records we answer with
 * @param minResponseInterval we answer at most once per this interval (RFC 6762 §6: a record is
 *     multicast at most once per second), however many peers ask
 * @param maxAnnouncedAddrs addresses we put in TXT records, at most
 * @param maxAddrsPerPeer addresses we accept from one peer per response, at most
 */
public record MdnsConfig(
    String serviceName,
    Duration queryInterval,
    long ttlSeconds,
    Duration minResponseInterval,
    int maxAnnouncedAddrs,
    int maxAddrsPerPeer) {
  public static final String SERVICE_NAME = "_p2p._udp.local";
  public static final MdnsConfig DEFAULT =
      new MdnsConfig(SERVICE_NAME, Duration.ofSeconds(10), 120, Duration.ofSeconds(1), 16, 16);

  public MdnsConfig {
    DnsName.of(serviceName); // Throws for a name DNS cannot carry.
    if (queryInterval.isNegative()
        || queryInterval.isZero()
        || minResponseInterval.isNegative()
        || ttlSeconds < 1
        || ttlSeconds > 0xFFFF_FFFFL
        || maxAnnouncedAddrs < 1
        || maxAddrsPerPeer < 1) {
      throw new IllegalArgumentException("bad mDNS config: " + this);
    }
  }

  public MdnsConfig withQueryInterval(Duration interval) {
    return new MdnsConfig(
        serviceName, interval, ttlSeconds, minResponseInterval, maxAnnouncedAddrs, maxAddrsPerPeer);
  }

  public MdnsConfig withServiceName(String name) {
    return new MdnsConfig(
        name, queryInterval, ttlSeconds, minResponseInterval, maxAnnouncedAddrs, maxAddrsPerPeer);
  }
}
