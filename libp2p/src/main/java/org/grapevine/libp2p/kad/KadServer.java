package org.grapevine.libp2p.kad;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The server side of the DHT (libp2p/specs kad-dht/README.md, "RPC messages", the table of
 * requirements per type): answers one request from a remote peer out of a {@link RoutingTable} and
 * a {@link ProviderStore}. Sans-I/O and clockless: the driver decodes the request with {@link
 * KadCodec}, calls {@link #handle}, and writes the response if there is one. Not thread-safe: it
 * shares the table and the store with the node's lookups, on the same loop.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>FIND_NODE: the key is hashed as raw bytes, whether or not it is a peer ID (go and js do the
 *       same: a lookup for any point of the key space must work). If it is the ID of a peer in our
 *       table, that one peer is the answer (the spec's "exact match"); otherwise the {@code k}
 *       closest.
 *   <li>GET_PROVIDERS: the key must have a multihash's shape (the CID's multihash, as go and js
 *       send it); the answer lists up to {@code k} unexpired providers and the {@code k} closest.
 *   <li>ADD_PROVIDER: same key check; only the providerPeers whose ID is the sender's are stored
 *       (the spec; js stores the sender unconditionally, go once per listed copy). Others are
 *       forgeries, dropped and counted. No answer is written: go and js write none either.
 *   <li>GET_VALUE: the record of the key from the {@link RecordStore} if we hold one (only {@code
 *       /pk/} records are ever stored), and the closer peers either way, which lets the asker's
 *       lookup go on elsewhere. Keys of other namespaces are answered the same way (no record), not
 *       refused: the asker may find the value at peers that validate that namespace.
 *   <li>PUT_VALUE: stored only if it validates ({@link PkRecords}): the record must be present and
 *       carry the message's key (go checks the same), in the {@code /pk/} namespace ({@link
 *       Refusal#UNSUPPORTED_NAMESPACE} otherwise: storing bytes we cannot validate would make us
 *       free storage, and {@code /ipns/} needs signatures we do not check yet), and the key must be
 *       the value's peer ID ({@link Refusal#INVALID_RECORD}). A full store refuses new keys ({@link
 *       Refusal#RECORD_STORE_FULL}). Stored: the request is echoed back, as go and js do. The
 *       record's timeReceived is left empty: the core has no wall clock to write RFC 3339.
 *   <li>PING: PING.
 *   <li>Closer peers never include the requester (it knows itself) nor ourselves (the spec says
 *       nothing; go also leaves both out, because a lookup cannot use either). Peers are listed
 *       with no connection hint: the table does not know which are connected.
 * </ol>
 *
 * <p>Bounded: at most {@code k} closer and {@code k} provider peers ({@code k} at most {@link
 * KadCodec#MAX_PEERS}, so that our answers decode at a peer using the same limits), at most {@link
 * KadPeer#MAX_ADDRS} addresses each (the table and the store hold no more), and an answer fits in
 * {@link KadCodec#DEFAULT_MAX_MESSAGE_BYTES} (the farthest peers shed, {@link #trimmed}). Every
 * refusal and every dropped provider is counted by {@link Refusal} ({@link #refused}).
 *
 * <p>Not done here, by design: adding the requester to the routing table. Only a peer that
 * advertises the DHT protocol in identify may enter the table (client vs server mode), which the
 * driver knows and this class does not.
 */
public final class KadServer {
  /**
   * The longest provider key accepted: a multihash of a 64-byte digest plus its varint header fits
   * with room; go-libp2p-kad-dht refuses provider keys over 80 bytes as well.
   */
  public static final int MAX_PROVIDER_KEY_BYTES = 80;

  /** Why a request, or one provider of an ADD_PROVIDER, was not served. */
  public enum Refusal {
    /** The key is empty, or for provider requests not a multihash of at most 80 bytes. */
    INVALID_KEY(true),
    /** An ADD_PROVIDER listed a provider other than its sender: dropped, the others kept. */
    FORGED_PROVIDER(true),
    /** An ADD_PROVIDER listed no provider at all. */
    NO_PROVIDER(true),
    /** PUT_VALUE in a namespace we do not validate (anything but {@code /pk/}). */
    UNSUPPORTED_NAMESPACE(false),
    /** PUT_VALUE with no record, a record for another key, or one that fails validation. */
    INVALID_RECORD(true),
    /** PUT_VALUE of a new key while the record store is full. */
    RECORD_STORE_FULL(false),
    /**
     * The peer sent more requests than its rate allows (refused by {@link Dht}, not here). Not its
     * fault in the protocol's sense: a busy honest peer can hit it; it is told by the reset.
     */
    RATE_LIMITED(false),
    /** The provider store holds its maximum of keys. */
    STORE_FULL(false),
    /** The key has its maximum of providers. */
    KEY_FULL(false),
    /** The sender provides its maximum of keys. */
    PROVIDER_FULL(false);

    private final boolean senderAtFault;

    Refusal(boolean senderAtFault) {
      this.senderAtFault = senderAtFault;
    }

    /**
     * True if the request broke the protocol (the driver may penalise the sender); false if we are
     * full or do not support it (overload is never the sender's fault).
     */
    public boolean senderAtFault() {
      return senderAtFault;
    }
  }

  /**
   * What {@link #handle} decided.
   *
   * @param response the message to write back, if any (none for ADD_PROVIDER, nor when refused)
   * @param refusal set when the request as a whole was refused; the driver resets the stream
   */
  public record Reply(Optional<KadMessage> response, Optional<Refusal> refusal) {
    public Reply {
      Objects.requireNonNull(response, "response");
      Objects.requireNonNull(refusal, "refusal");
    }

    static Reply answer(KadMessage m) {
      return new Reply(Optional.of(m), Optional.empty());
    }

    static Reply none() {
      return new Reply(Optional.empty(), Optional.empty());
    }

    static Reply refused(Refusal r) {
      return new Reply(Optional.empty(), Optional.of(r));
    }
  }

  /** For the size of answers only: the default frame limit, as our peers' decoders apply it. */
  private static final KadCodec CODEC = new KadCodec();

  private final RoutingTable table;
  private final ProviderStore providers;
  private final RecordStore records;
  private final int k;
  private final Map<Refusal, Long> refused = new EnumMap<>(Refusal.class);
  private long providersStored;
  private long recordsStored;
  private long trimmed;

  /**
   * @param k how many closer peers and providers to answer with, {@link RoutingTable#K} in the
   *     public DHT; at most {@link KadCodec#MAX_PEERS}
   */
  public KadServer(RoutingTable table, ProviderStore providers, RecordStore records, int k) {
    if (k < 1 || k > KadCodec.MAX_PEERS) {
      throw new IllegalArgumentException("k " + k + " not in 1.." + KadCodec.MAX_PEERS);
    }
    this.table = Objects.requireNonNull(table, "table");
    this.providers = Objects.requireNonNull(providers, "providers");
    this.records = Objects.requireNonNull(records, "records");
    this.k = k;
  }

  /**
   * Answers {@code request} from {@code from}.
   *
   * @param nowMillis wall-clock milliseconds, the {@link ProviderStore}'s time
   */
  public Reply handle(PeerId from, KadMessage request, long nowMillis) {
    byte[] key = request.key();
    if (request.type() != KadMessageType.PING && key.length == 0) {
      return refuse(Refusal.INVALID_KEY);
    }
    return switch (request.type()) {
      case FIND_NODE -> Reply.answer(onFindNode(from, key));
      case GET_PROVIDERS ->
          isProviderKey(key)
              ? Reply.answer(onGetProviders(from, key, nowMillis))
              : refuse(Refusal.INVALID_KEY);
      case ADD_PROVIDER ->
          isProviderKey(key)
              ? onAddProvider(from, key, request.providerPeers(), nowMillis)
              : refuse(Refusal.INVALID_KEY);
      case GET_VALUE -> Reply.answer(onGetValue(from, key, nowMillis));
      case PUT_VALUE -> onPutValue(request, key, nowMillis);
      case PING -> Reply.answer(KadMessage.request(KadMessageType.PING, new byte[0]));
    };
  }

  private KadMessage onFindNode(PeerId from, byte[] key) {
    Optional<KadPeer> exact = exactMatch(key).filter(p -> !p.id().equals(from));
    List<KadPeer> peers = exact.map(List::of).orElseGet(() -> closer(from, KadKey.of(key)));
    return response(KadMessageType.FIND_NODE, key, peers, List.of());
  }

  private KadMessage onGetValue(PeerId from, byte[] key, long nowMillis) {
    KadRecord held = records.get(key, nowMillis).orElse(null);
    return response(KadMessageType.GET_VALUE, key, held, closer(from, KadKey.of(key)), List.of());
  }

  private Reply onPutValue(KadMessage request, byte[] key, long nowMillis) {
    KadRecord r = request.record();
    // 1. a record, for the message's key
    if (r == null || !Arrays.equals(r.key(), key)) {
      return refuse(Refusal.INVALID_RECORD);
    }
    // 2. valid in its namespace
    switch (PkRecords.validate(key, r.value())) {
      case VALID -> {}
      case UNSUPPORTED_NAMESPACE -> {
        return refuse(Refusal.UNSUPPORTED_NAMESPACE);
      }
      case BAD_VALUE, MISMATCH -> {
        return refuse(Refusal.INVALID_RECORD);
      }
    }
    // 3. room for it
    if (records.put(new KadRecord(key, r.value(), ""), nowMillis) == RecordStore.PutStatus.FULL) {
      return refuse(Refusal.RECORD_STORE_FULL);
    }
    recordsStored++;
    return Reply.answer(request);
  }

  private Optional<KadPeer> exactMatch(byte[] key) {
    try {
      return table.find(PeerId.fromBytes(key)); // Never ourselves: the table does not hold us.
    } catch (MalformedFrameException notAPeerId) {
      return Optional.empty(); // Any point of the key space may be looked up.
    }
  }

  private KadMessage onGetProviders(PeerId from, byte[] key, long nowMillis) {
    List<KadPeer> found = providers.providers(key, nowMillis);
    // The most recently announced last in the store: those are the likeliest still online.
    List<KadPeer> listed = found.subList(Math.max(0, found.size() - k), found.size());
    return response(KadMessageType.GET_PROVIDERS, key, closer(from, KadKey.of(key)), listed);
  }

  private Reply onAddProvider(PeerId from, byte[] key, List<KadPeerInfo> listed, long nowMillis) {
    if (listed.isEmpty()) {
      return refuse(Refusal.NO_PROVIDER);
    }
    Refusal storeRefusal = null;
    for (KadPeerInfo p : listed) {
      if (!p.id().equals(from)) {
        count(Refusal.FORGED_PROVIDER);
        continue;
      }
      ProviderStore.AddStatus status = providers.add(key, from, p.addrs(), nowMillis);
      switch (status) {
        case ADDED, REFRESHED -> providersStored++;
        case STORE_FULL -> storeRefusal = Refusal.STORE_FULL;
        case KEY_FULL -> storeRefusal = Refusal.KEY_FULL;
        case PROVIDER_FULL -> storeRefusal = Refusal.PROVIDER_FULL;
      }
    }
    if (storeRefusal != null) {
      count(storeRefusal);
    }
    // A forgery is counted per listed peer but does not void the sender's own announcement.
    return Reply.none();
  }

  /** The {@code k} closest peers of our table, without the requester (never holds ourselves). */
  private List<KadPeer> closer(PeerId from, KadKey target) {
    List<KadPeer> out = new ArrayList<>(table.closest(target, k + 1));
    out.removeIf(p -> p.id().equals(from) || p.id().equals(table.self()));
    return out.size() > k ? out.subList(0, k) : out;
  }

  private KadMessage response(
      KadMessageType type, byte[] key, List<KadPeer> closer, List<KadPeer> providerPeers) {
    return response(type, key, null, closer, providerPeers);
  }

  private KadMessage response(
      KadMessageType type,
      byte[] key,
      KadRecord record,
      List<KadPeer> closer,
      List<KadPeer> providerPeers) {
    List<KadPeerInfo> c = wire(closer);
    List<KadPeerInfo> p = wire(providerPeers);
    // Rarely needed: 2k peers with 32 long addresses each (DNS names) can outgrow a frame that
    // our own codec, and a peer with the same limit, would refuse. Shed the farthest closer peers
    // first (a lookup has other sources for those), then the oldest providers.
    while (sizeBound(key, record, c, p) > CODEC.maxMessageBytes()
        && CODEC.encode(new KadMessage(type, key, record, c, p)).length > CODEC.maxMessageBytes()) {
      if (!c.isEmpty()) {
        c = c.subList(0, c.size() - 1);
      } else if (!p.isEmpty()) {
        p = p.subList(1, p.size());
      } else {
        break; // Cannot happen: a key of KadCodec.MAX_KEY_BYTES and a /pk/ value fit.
      }
      trimmed++;
    }
    return new KadMessage(type, key, record, c, p);
  }

  /**
   * At least the encoded size (each length prefix and tag counted at its widest), so that the exact
   * encoding, which costs as much as the answer itself, is needed only near the limit.
   */
  private static long sizeBound(
      byte[] key, KadRecord record, List<KadPeerInfo> closer, List<KadPeerInfo> providers) {
    long n = 16L + key.length;
    if (record != null) {
      n += 32L + record.key().length + record.value().length + 4L * record.timeReceived().length();
    }
    for (List<KadPeerInfo> list : List.of(closer, providers)) {
      for (KadPeerInfo info : list) {
        n += 16L + info.id().toBytes().length;
        for (var a : info.addrs()) {
          n += 6L + a.encode().length;
        }
      }
    }
    return n;
  }

  private static List<KadPeerInfo> wire(List<KadPeer> peers) {
    List<KadPeerInfo> out = new ArrayList<>(peers.size());
    peers.forEach(p -> out.add(KadPeerInfo.of(p.id(), p.addrs())));
    return out;
  }

  /** A multihash: uvarint code, uvarint digest length, then exactly that many bytes. */
  static boolean isProviderKey(byte[] key) {
    if (key.length > MAX_PROVIDER_KEY_BYTES) {
      return false;
    }
    ByteBuf in = Unpooled.wrappedBuffer(key);
    try {
      long code = Varint.read(in, Integer.MAX_VALUE); // -1: the key ends inside the varint
      long len = code < 0 ? -1 : Varint.read(in, MAX_PROVIDER_KEY_BYTES);
      return len > 0 && in.readableBytes() == len;
    } catch (MalformedFrameException e) {
      return false;
    } finally {
      in.release();
    }
  }

  private Reply refuse(Refusal r) {
    count(r);
    return Reply.refused(r);
  }

  private void count(Refusal r) {
    refused.merge(r, 1L, Long::sum);
  }

  /** How many times {@code reason} refused a request or dropped a listed provider. */
  public long refused(Refusal reason) {
    return refused.getOrDefault(reason, 0L);
  }

  /** Peers left out of answers so that they fit in one frame. */
  public long trimmed() {
    return trimmed;
  }

  /** Records stored or refreshed by PUT_VALUE. */
  public long recordsStored() {
    return recordsStored;
  }

  /** Providers stored or refreshed by ADD_PROVIDER. */
  public long providersStored() {
    return providersStored;
  }
}
