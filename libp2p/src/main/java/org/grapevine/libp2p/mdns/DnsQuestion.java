package org.grapevine.libp2p.mdns;

/**
 * One entry of a DNS message's question section (RFC 1035 §4.1.2).
 *
 * @param type a {@code DnsRecord.TYPE_*} value (PTR, ANY, ...)
 * @param dnsClass the class without the top bit ({@link DnsRecord#CLASS_IN}, or 255 for any)
 * @param unicastResponse the top bit of the class: the asker prefers a unicast reply (RFC 6762
 *     §5.4, "QU")
 */
public record DnsQuestion(DnsName name, int type, int dnsClass, boolean unicastResponse) {
  public DnsQuestion {
    if (type < 0 || type > 0xFFFF || dnsClass < 0 || dnsClass > 0x7FFF) {
      throw new IllegalArgumentException(
          "question type " + type + " or class " + dnsClass + " out of range");
    }
  }

  /** A multicast question of class IN. */
  public static DnsQuestion of(DnsName name, int type) {
    return new DnsQuestion(name, type, DnsRecord.CLASS_IN, false);
  }
}
