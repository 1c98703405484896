package org.grapevine.libp2p.gossipsub;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;

/**
 * IWANT promises (gossipsub-v1.1.md "Spam Protection Measures"): when we ask a peer for messages it
 * advertised, we remember one of the ids with a deadline. The promise is kept when the message
 * arrives from anyone before the deadline; otherwise it is broken and costs the peer P7.
 */
final class GossipPromises {
  /** Null until the first promise: most routers of a large simulation never ask for one. */
  private Map<MessageId, Map<PeerId, Long>> promises;

  void add(PeerId peer, MessageId id, long deadlineNanos) {
    if (promises == null) {
      promises = new HashMap<>();
    }
    promises.computeIfAbsent(id, k -> new HashMap<>()).putIfAbsent(peer, deadlineNanos);
  }

  /** The message arrived: every promise for it is kept. */
  void fulfil(MessageId id) {
    if (promises != null) {
      promises.remove(id);
    }
  }

  /** Removes the promises past their deadline and returns how many each peer broke. */
  Map<PeerId, Integer> collectBroken(long nowNanos) {
    Map<PeerId, Integer> broken = new HashMap<>();
    if (promises == null) {
      return broken;
    }
    Iterator<Map<PeerId, Long>> it = promises.values().iterator();
    while (it.hasNext()) {
      Map<PeerId, Long> byPeer = it.next();
      byPeer
          .entrySet()
          .removeIf(
              e -> {
                if (e.getValue() - nowNanos <= 0) {
                  broken.merge(e.getKey(), 1, Integer::sum);
                  return true;
                }
                return false;
              });
      if (byPeer.isEmpty()) {
        it.remove();
      }
    }
    return broken;
  }

  int size() {
    return promises == null ? 0 : promises.size();
  }
}
