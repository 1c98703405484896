package org.grapevine.libp2p.kad;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Kademlia RPC, request or response (kad-dht/README.md, "RPC messages"): which fields a type
 * uses is the spec's table; this record holds any combination, and the DHT core checks what a type
 * requires. Decoded and bounded by {@link KadCodec}.
 *
 * @param key FIND_NODE: a peer ID's bytes; GET/ADD_PROVIDER: a CID's multihash bytes;
 *     GET/PUT_VALUE: the record key; empty when unset
 * @param record GET_VALUE answers and PUT_VALUE requests; null when absent
 */
// Copied in and out, with equals, hashCode and toString over the contents.
@SuppressWarnings("ArrayRecordComponent")
public record KadMessage(
    KadMessageType type,
    byte[] key,
    KadRecord record,
    List<KadPeerInfo> closerPeers,
    List<KadPeerInfo> providerPeers) {
  public KadMessage {
    Objects.requireNonNull(type, "type");
    key = key.clone();
    closerPeers = List.copyOf(closerPeers);
    providerPeers = List.copyOf(providerPeers);
  }

  /** A request of {@code type} for {@code key}, with no record and no peers. */
  public static KadMessage request(KadMessageType type, byte[] key) {
    return new KadMessage(type, key, null, List.of(), List.of());
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  public Optional<KadRecord> optionalRecord() {
    return Optional.ofNullable(record);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadMessage m
        && type == m.type
        && Arrays.equals(key, m.key)
        && Objects.equals(record, m.record)
        && closerPeers.equals(m.closerPeers)
        && providerPeers.equals(m.providerPeers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(key), record, closerPeers, providerPeers);
  }

  @Override
  public String toString() {
    return "KadMessage["
        + type
        + ", key "
        + key.length
        + " bytes, record "
        + (record != null)
        + ", closer "
        + closerPeers.size()
        + ", providers "
        + providerPeers.size()
        + "]";
  }
}
