package org.grapevine.libp2p.mdns;

import java.util.ArrayList;
import java.util.List;

/**
 * A DNS message (RFC 1035 §4.1): header, questions, and three record sections. For mDNS (RFC 6762
 * §18) the id is 0 in multicast messages, a query has flags 0 and a response sets QR and AA.
 *
 * @param flags the header's second 16-bit word (QR, opcode, AA, TC, RD, RA, Z, RCODE)
 */
public record DnsMessage(
    int id,
    int flags,
    List<DnsQuestion> questions,
    List<DnsRecord> answers,
    List<DnsRecord> authorities,
    List<DnsRecord> additionals) {
  public static final int FLAG_QR = 0x8000;
  public static final int FLAG_AA = 0x0400;
  public static final int FLAG_TC = 0x0200;

  public DnsMessage {
    if (id < 0 || id > 0xFFFF || flags < 0 || flags > 0xFFFF) {
      throw new IllegalArgumentException(
          "id " + id + " or flags " + flags + " are not 16-bit values");
    }
    questions = List.copyOf(questions);
    answers = List.copyOf(answers);
    authorities = List.copyOf(authorities);
    additionals = List.copyOf(additionals);
  }

  /** An mDNS query (id 0, flags 0). */
  public static DnsMessage query(List<DnsQuestion> questions) {
    return new DnsMessage(0, 0, questions, List.of(), List.of(), List.of());
  }

  /** An authoritative mDNS response (id 0, QR and AA set, no questions: RFC 6762 §6). */
  public static DnsMessage response(List<DnsRecord> answers, List<DnsRecord> additionals) {
    return new DnsMessage(0, FLAG_QR | FLAG_AA, List.of(), answers, List.of(), additionals);
  }

  public boolean isResponse() {
    return (flags & FLAG_QR) != 0;
  }

  /** 0 is a standard query; mDNS ignores every other (RFC 6762 §18.3). */
  public int opcode() {
    return (flags >>> 11) & 0xF;
  }

  /** 0 is no error; mDNS ignores every other (RFC 6762 §18.11). */
  public int rcode() {
    return flags & 0xF;
  }

  /** Answers, then authorities, then additionals: where a reader looks for the records it needs. */
  public List<DnsRecord> allRecords() {
    List<DnsRecord> out = new ArrayList<>(answers.size() + authorities.size() + additionals.size());
    out.addAll(answers);
    out.addAll(authorities);
    out.addAll(additionals);
    return out;
  }
}
