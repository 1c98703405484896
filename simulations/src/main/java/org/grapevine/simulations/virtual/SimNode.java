package org.grapevine.simulations.virtual;

import java.util.Set;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.MemoryPostStore;
import org.grapevine.protocol.identity.Identity;

/**
 * One simulated participant: its store (kept across restarts, as a disk would be), and while
 * online its GossipRouter and ingestion Engine (both lost when it leaves, as a process's memory
 * is). Timers and queues are virtual times.
 */
final class SimNode {
  final int index;
  final MemoryPostStore store = new MemoryPostStore(0);
  /** Identities whose logs this node keeps: its own and the followed ones (for sync). */
  final Set<Identity> keeps;
  /** The nodes of those identities, sorted (topics it subscribes to). */
  final int[] topicNodes;

  boolean online = true;
  GossipRouter router;
  Engine engine;
  /** Changes at every restart, so events meant for the old process are dropped. */
  int incarnation;
  long timerAt = Long.MIN_VALUE;
  long validatorFreeAt;
  long upFreeAt;
  long downFreeAt;
  int syncCursor;
  long offlineSince;

  SimNode(int index, Set<Identity> keeps, int[] topicNodes) {
    this.index = index;
    this.keeps = keeps;
    this.topicNodes = topicNodes;
  }
}
