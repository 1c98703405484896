package org.grapevine.node.discovery;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/** Outputs of a {@link ConnectionManager}: what its adapter must do. */
public sealed interface ConnectionCommand {
  /** Dial the peer at these addresses (without {@code /p2p}), in order, until one works. */
  record Dial(PeerId peer, List<Multiaddr> addrs) implements ConnectionCommand {
    public Dial {
      addrs = List.copyOf(addrs);
    }
  }

  /** Close every connection to the peer (over the connection limit). */
  record Close(PeerId peer) implements ConnectionCommand {}

  /** Persist the peer with these addresses (replacing what was stored). */
  record SavePeer(PeerId peer, List<Multiaddr> addrs) implements ConnectionCommand {
    public SavePeer {
      addrs = List.copyOf(addrs);
    }
  }

  /** Remove the peer from the persisted table. */
  record ForgetPeer(PeerId peer) implements ConnectionCommand {}
}
