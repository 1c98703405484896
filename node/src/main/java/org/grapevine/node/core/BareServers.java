package org.grapevine.node.core;

import java.util.LinkedHashMap;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.entry.ContentHash;

/**
 * Which peers served which entries by sync without their content: such a peer is not asked for that
 * content again (issue 12: it did not hold it, or it withheld it). Bounded: the oldest of at most
 * {@link #MAX_ROWS} (peer, hash) pairs are forgotten first, so a forgotten peer is asked again
 * once, at worst. In memory: after a restart every peer may be asked once more.
 */
final class BareServers {
  static final int MAX_ROWS = 16_384;

  private record Row(PeerId peer, ContentHash hash) {}

  private final Map<Row, Boolean> rows =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Row, Boolean> eldest) {
          return size() > MAX_ROWS;
        }
      };

  void servedBare(PeerId peer, ContentHash hash) {
    rows.put(new Row(peer, hash), Boolean.TRUE);
  }

  /** Whether {@code peer} may be asked for the content with this hash. */
  boolean mayAsk(PeerId peer, ContentHash hash) {
    return !rows.containsKey(new Row(peer, hash));
  }

  int size() {
    return rows.size();
  }
}
