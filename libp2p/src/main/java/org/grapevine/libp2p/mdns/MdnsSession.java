package org.grapevine.libp2p.mdns;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;

/**
 * libp2p mDNS discovery for one peer on one multicast group (spec: libp2p/specs discovery/mdns.md;
 * RFC 6762, RFC 6763). Sans-I/O: no sockets, clocks or threads; not thread-safe.
 *
 * <p>What it does:
 *
 * <ul>
 *   <li>asks {@code <service> PTR} right after start (after a random 20–120 ms, RFC 6762 §5.2) and
 *       then every {@link MdnsConfig#queryInterval};
 *   <li>answers such questions (its own included: the spec wants a peer to answer itself, so that
 *       passive listeners hear it) with {@code <service> PTR <peer-name>.<service>} and, as
 *       additional records, {@code <peer-name>.<service> TXT "dnsaddr=<addr>/p2p/<id>"}, one string
 *       per address; also the DNS-SD meta query and a direct TXT question;
 *   <li>announces itself unasked when its addresses change (RFC 6762 §8.3);
 *   <li>reads every response: each PTR to an instance of the service, other than ours, whose TXT
 *       records (in any section: js-libp2p puts them among the answers) hold {@code dnsaddr=}
 *       multiaddrs ending in {@code /p2p/<id>} yields a {@link MdnsEvent.PeerDiscovered} per peer.
 * </ul>
 *
 * {@code peer-name} is a random lowercase alphanumeric label of 32 to 63 characters: a peer id does
 * not fit in one DNS label.
 *
 * <p>Call order: {@link #handleDatagram}, {@link #handleTimeout} and {@link #setListenAddrs} are
 * inputs; after any of them drain {@link #pollOutbound} (packets for the group), then {@link
 * #pollTimeout}, then {@link #pollEvent}. Time must not go backwards.
 *
 * <p>Discrepancies: no SRV, A or AAAA records (js-libp2p sends none and dials the TXT addresses);
 * questions asking for a unicast reply ("QU") get the multicast one; known-answer suppression (RFC
 * 6762 §7.1) is honoured only for our PTR record; goodbye records (TTL 0) are ignored rather than
 * turned into "peer gone" events, since a peer's connections tell that.
 */
public final class MdnsSession {
  /** RFC 6763 §9. */
  public static final DnsName SERVICES_META = DnsName.of("_services._dns-sd._udp.local");

  private static final String DNSADDR = "dnsaddr=";
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final MdnsConfig config;
  private final PeerId self;
  private final DnsName service;
  private final DnsName instance;
  private final String peerName;
  private final ArrayDeque<byte[]> outbound = new ArrayDeque<>();
  private final ArrayDeque<MdnsEvent> events = new ArrayDeque<>();
  private List<String> txt = List.of();
  private long nextQueryAt;
  private long lastResponseAt;
  private boolean responded;
  private long malformed;

  public MdnsSession(MdnsConfig config, PeerId self, RandomGenerator random, long nowNanos) {
    this.config = config;
    this.self = self;
    this.service = DnsName.of(config.serviceName());
    StringBuilder name = new StringBuilder();
    int length = 32 + random.nextInt(32);
    for (int i = 0; i < length; i++) {
      name.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    this.peerName = name.toString();
    this.instance = service.prepend(peerName);
    this.nextQueryAt = nowNanos + 20_000_000L + random.nextLong(100_000_000L);
  }

  /** Our random instance label. */
  public String peerName() {
    return peerName;
  }

  /** Packets on the group that did not decode, since start. */
  public long malformedPackets() {
    return malformed;
  }

  /**
   * The addresses to announce (without or with {@code /p2p}; ours is appended). Addresses whose TXT
   * string would exceed 255 bytes are left out, and at most {@link MdnsConfig#maxAnnouncedAddrs}
   * are kept. A change is announced at once.
   */
  public void setListenAddrs(List<Multiaddr> addrs, long nowNanos) {
    List<String> strings = new ArrayList<>();
    for (Multiaddr a : addrs) {
      String s = DNSADDR + a.withPeerId(self);
      if (s.getBytes(StandardCharsets.UTF_8).length <= DnsRecord.Txt.MAX_STRING_BYTES
          && strings.size() < config.maxAnnouncedAddrs()
          && !strings.contains(s)) {
        strings.add(s);
      }
    }
    if (!strings.equals(txt)) {
      txt = List.copyOf(strings);
      if (!txt.isEmpty()) {
        respond(nowNanos);
      }
    }
  }

  /** One UDP payload received on the group. The caller keeps ownership of {@code packet}. */
  public void handleDatagram(ByteBuf packet, long nowNanos) {
    DnsMessage message;
    try {
      message = DnsMessageCodec.decode(packet);
    } catch (MalformedFrameException e) {
      malformed++;
      events.add(new MdnsEvent.MalformedPacket(e.getMessage()));
      return;
    }
    if (message.opcode() != 0 || message.rcode() != 0) {
      return; // RFC 6762 §18.3, §18.11: silently ignored.
    }
    if (message.isResponse()) {
      onResponse(message);
    } else {
      onQuery(message, nowNanos);
    }
  }

  /** The clock reached {@link #pollTimeout}: time for our next query. */
  public void handleTimeout(long nowNanos) {
    if (nowNanos - nextQueryAt >= 0) {
      outbound.add(
          DnsMessageCodec.encode(
              DnsMessage.query(List.of(DnsQuestion.of(service, DnsRecord.TYPE_PTR)))));
      nextQueryAt = nowNanos + config.queryInterval().toNanos();
    }
  }

  /** The next packet to multicast to the group. */
  public Optional<byte[]> pollOutbound() {
    return Optional.ofNullable(outbound.poll());
  }

  /** When to call {@link #handleTimeout} next. */
  public OptionalLong pollTimeout() {
    return OptionalLong.of(nextQueryAt);
  }

  public Optional<MdnsEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  private void onQuery(DnsMessage query, long now) {
    boolean ptr = false;
    boolean meta = false;
    for (DnsQuestion q : query.questions()) {
      boolean classOk = q.dnsClass() == DnsRecord.CLASS_IN || q.dnsClass() == DnsRecord.CLASS_ANY;
      boolean ptrType = q.type() == DnsRecord.TYPE_PTR || q.type() == DnsRecord.TYPE_ANY;
      boolean txtType = q.type() == DnsRecord.TYPE_TXT || q.type() == DnsRecord.TYPE_ANY;
      if (!classOk) {
        continue;
      }
      ptr |= (ptrType && q.name().sameAs(service)) || (txtType && q.name().sameAs(instance));
      meta |= ptrType && q.name().sameAs(SERVICES_META);
    }
    if (meta) {
      outbound.add(
          DnsMessageCodec.encode(
              DnsMessage.response(
                  List.of(new DnsRecord.Ptr(SERVICES_META, config.ttlSeconds(), service)),
                  List.of())));
    }
    if (ptr
        && !txt.isEmpty()
        && !knowsOurAnswer(query)
        && !(responded && now - lastResponseAt < config.minResponseInterval().toNanos())) {
      respond(now);
    }
  }

  /**
   * RFC 6762 §7.1: the asker lists our PTR with at least half its TTL left, so it needs no answer.
   */
  private boolean knowsOurAnswer(DnsMessage query) {
    for (DnsRecord r : query.answers()) {
      if (r instanceof DnsRecord.Ptr p
          && p.name().sameAs(service)
          && p.target().sameAs(instance)
          && p.ttlSeconds() * 2 >= config.ttlSeconds()) {
        return true;
      }
    }
    return false;
  }

  private void respond(long now) {
    outbound.add(
        DnsMessageCodec.encode(
            DnsMessage.response(
                List.of(new DnsRecord.Ptr(service, config.ttlSeconds(), instance)),
                List.of(DnsRecord.Txt.ofText(instance, config.ttlSeconds(), txt)))));
    responded = true;
    lastResponseAt = now;
  }

  private void onResponse(DnsMessage response) {
    List<DnsRecord> records = response.allRecords();
    Map<PeerId, List<Multiaddr>> found = new LinkedHashMap<>();
    for (DnsRecord r : records) {
      if (r instanceof DnsRecord.Ptr p
          && p.ttlSeconds() > 0
          && p.name().sameAs(service)
          && p.target().parent().sameAs(service)
          && p.target().labels().size() == service.labels().size() + 1
          && !p.target().first().equals(peerName)) {
        collect(p.target(), records, found);
      }
    }
    found.forEach((peer, addrs) -> events.add(new MdnsEvent.PeerDiscovered(peer, addrs)));
  }

  /**
   * The {@code dnsaddr=} multiaddrs in the TXT records of {@code target}, grouped by their peer id.
   */
  private void collect(
      DnsName target, List<DnsRecord> records, Map<PeerId, List<Multiaddr>> found) {
    for (DnsRecord r : records) {
      if (!(r instanceof DnsRecord.Txt t) || !t.name().sameAs(target) || t.ttlSeconds() == 0) {
        continue;
      }
      for (String s : t.texts()) {
        if (!s.regionMatches(true, 0, DNSADDR, 0, DNSADDR.length())) {
          continue;
        }
        Multiaddr addr;
        try {
          addr = Multiaddr.parse(s.substring(DNSADDR.length()));
        } catch (MultiaddrFormatException e) {
          continue; // One unreadable address does not spoil the others.
        }
        Optional<PeerId> peer = addr.peerId();
        if (peer.isEmpty() || peer.get().equals(self)) {
          continue;
        }
        List<Multiaddr> list = found.computeIfAbsent(peer.get(), p -> new ArrayList<>());
        if (list.size() < config.maxAddrsPerPeer() && !list.contains(addr)) {
          list.add(addr);
        }
      }
    }
  }
}
