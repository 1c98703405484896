package org.grapevine.libp2p.kad;

import java.util.LinkedHashMap;
import org.grapevine.libp2p.peer.PeerId;

/**
 * One k-bucket of a {@link RoutingTable}: its peers, least recently seen first, and the check of
 * its least recently seen peer that a newcomer waits on ({@link BucketChecks}). Plain data; the
 * table keeps it within its size.
 */
final class KBucket {
  /** Least recently seen first: re-inserting a key moves it to the back. */
  final LinkedHashMap<PeerId, TableEntry> entries = new LinkedHashMap<>();

  /** The peer being checked, or null when no check is under way. */
  PeerId checking;

  /** The peer that enters if the check fails; set exactly while {@link #checking} is. */
  KadPeer waiting;

  long checkDeadlineNanos;

  /** Moves {@code id}'s entry to the back: it was seen alive. */
  void touch(PeerId id, TableEntry e) {
    entries.remove(id);
    entries.put(id, e);
  }
}
