package org.grapevine.libp2p.gossipsub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;

/**
 * The message cache (gossipsub-v1.0.md "Message Cache"): {@code mcache_len} history windows, one
 * per heartbeat. {@link #get} serves IWANT from all windows; {@link #gossipIds} advertises the
 * newest {@code mcache_gossip} windows in IHAVE; {@link #shift} drops the oldest window. Also
 * counts, per message and peer, how often a peer fetched it by IWANT (GossipRetransmission), so
 * that one peer cannot make us resend a message without bound.
 */
final class MessageCache {
  private static final class Entry {
    final Message message;

    /** IWANT fetches per peer; null until the first (most messages are never asked for). */
    Map<PeerId, Integer> iwantCounts;

    Entry(Message message) {
      this.message = message;
    }
  }

  private record WindowEntry(MessageId id, String topic) {}

  private final int gossipWindows;
  private final ArrayDeque<List<WindowEntry>> windows; // newest first, exactly historyWindows
  private final Map<MessageId, Entry> entries = new HashMap<>();

  MessageCache(int historyWindows, int gossipWindows) {
    if (gossipWindows > historyWindows || historyWindows < 1) {
      throw new IllegalArgumentException("need 1 <= gossip windows <= history windows");
    }
    this.gossipWindows = gossipWindows;
    this.windows = new ArrayDeque<>(historyWindows); // shift removes one before adding one
    for (int i = 0; i < historyWindows; i++) {
      windows.addLast(new ArrayList<>());
    }
  }

  /** Adds a validated message to the newest window; a second put of the same id is ignored. */
  void put(MessageId id, Message message) {
    if (entries.putIfAbsent(id, new Entry(message)) == null) {
      windows.getFirst().add(new WindowEntry(id, message.getTopic()));
    }
  }

  Optional<Message> get(MessageId id) {
    Entry e = entries.get(id);
    return e == null ? Optional.empty() : Optional.of(e.message);
  }

  /**
   * The message for an IWANT from {@code peer}, unless that peer already fetched it {@code
   * maxTransmissions} times.
   */
  Optional<Message> getForPeer(MessageId id, PeerId peer, int maxTransmissions) {
    Entry e = entries.get(id);
    if (e == null) {
      return Optional.empty();
    }
    if (e.iwantCounts == null) {
      e.iwantCounts = new HashMap<>();
    }
    int count = e.iwantCounts.merge(peer, 1, Integer::sum);
    return count > maxTransmissions ? Optional.empty() : Optional.of(e.message);
  }

  /** Ids of {@code topic} in the gossip windows, newest first. */
  List<MessageId> gossipIds(String topic) {
    List<MessageId> ids = new ArrayList<>();
    Iterator<List<WindowEntry>> it = windows.iterator();
    for (int i = 0; i < gossipWindows && it.hasNext(); i++) {
      for (WindowEntry w : it.next()) {
        if (w.topic.equals(topic)) {
          ids.add(w.id);
        }
      }
    }
    return ids;
  }

  /** Ends a heartbeat: the oldest window's messages leave the cache. */
  void shift() {
    for (WindowEntry w : windows.removeLast()) {
      entries.remove(w.id);
    }
    windows.addFirst(new ArrayList<>());
  }

  int size() {
    return entries.size();
  }
}
