package org.grapevine.libp2p.mdns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A resource record (RFC 1035 §4.1.3) of class IN, with the data of the types mDNS discovery reads
 * (PTR, TXT, A, AAAA) decoded and every other type kept as raw bytes. The cache-flush bit (RFC 6762
 * §10.2) is not modelled: the codec reads past it and sets it when writing the unique records (TXT,
 * A, AAAA), never on shared ones (PTR).
 */
public sealed interface DnsRecord {
  int TYPE_A = 1;
  int TYPE_PTR = 12;
  int TYPE_TXT = 16;
  int TYPE_AAAA = 28;
  int TYPE_SRV = 33;

  /** In questions only: every type. */
  int TYPE_ANY = 255;

  int CLASS_IN = 1;
  int CLASS_ANY = 255;

  DnsName name();

  int type();

  /** 0 means "goodbye": the record is withdrawn (RFC 6762 §10.1). */
  long ttlSeconds();

  /** {@code name PTR target}: in DNS-SD, a service name pointing at one instance. */
  record Ptr(DnsName name, long ttlSeconds, DnsName target) implements DnsRecord {
    public Ptr {
      checkTtl(ttlSeconds);
    }

    @Override
    public int type() {
      return TYPE_PTR;
    }
  }

  /** {@code name TXT strings}: each string at most 255 bytes (one length byte on the wire). */
  record Txt(DnsName name, long ttlSeconds, List<byte[]> strings) implements DnsRecord {
    public static final int MAX_STRING_BYTES = 255;

    public Txt {
      checkTtl(ttlSeconds);
      List<byte[]> copy = new ArrayList<>(strings.size());
      for (byte[] s : strings) {
        if (s.length > MAX_STRING_BYTES) {
          throw new IllegalArgumentException(
              "TXT string of " + s.length + " bytes exceeds " + MAX_STRING_BYTES);
        }
        copy.add(s.clone());
      }
      strings = List.copyOf(copy);
    }

    public static Txt ofText(DnsName name, long ttlSeconds, List<String> strings) {
      List<byte[]> bytes = new ArrayList<>(strings.size());
      for (String s : strings) {
        bytes.add(s.getBytes(StandardCharsets.UTF_8));
      }
      return new Txt(name, ttlSeconds, bytes);
    }

    /** The strings as UTF-8 text (invalid bytes become U+FFFD). */
    public List<String> texts() {
      List<String> out = new ArrayList<>(strings.size());
      for (byte[] s : strings) {
        out.add(new String(s, StandardCharsets.UTF_8));
      }
      return out;
    }

    @Override
    public int type() {
      return TYPE_TXT;
    }
  }

  /** {@code name A address} or {@code name AAAA address}, by the address's family. */
  record Address(DnsName name, long ttlSeconds, InetAddress address) implements DnsRecord {
    public Address {
      checkTtl(ttlSeconds);
    }

    @Override
    public int type() {
      return address instanceof Inet4Address ? TYPE_A : TYPE_AAAA;
    }
  }

  /** Any other type (SRV, NSEC, HINFO, ...), or a record of another class, kept undecoded. */
  @SuppressWarnings("ArrayRecordComponent") // kept undecoded to be skipped, never compared
  record Other(DnsName name, int type, long ttlSeconds, byte[] rdata) implements DnsRecord {
    public Other {
      checkTtl(ttlSeconds);
      if (type < 0 || type > 0xFFFF || rdata.length > 0xFFFF) {
        throw new IllegalArgumentException(
            "record type " + type + " or rdata length " + rdata.length + " out of range");
      }
      rdata = rdata.clone();
    }

    @Override
    public byte[] rdata() {
      return rdata.clone();
    }
  }

  private static void checkTtl(long ttl) {
    if (ttl < 0 || ttl > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("TTL " + ttl + " is not an unsigned 32-bit number");
    }
  }
}
