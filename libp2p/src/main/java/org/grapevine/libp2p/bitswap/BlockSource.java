package org.grapevine.libp2p.bitswap;

import java.util.Optional;

/**
 * The blocks we serve, as the owner stores them. Called from the core's thread during {@link
 * Bitswap#handleMessage} and {@link Bitswap#pollOutgoing}: answers must be quick (an in-memory
 * index for {@link #has}, a local read for {@link #get}).
 */
public interface BlockSource {
  /** Whether we would give {@code cid} to a peer (answers want-have). */
  boolean has(Cid cid);

  /** The block's data, if we have it; it must hash to {@code cid}. */
  Optional<byte[]> get(Cid cid);
}
