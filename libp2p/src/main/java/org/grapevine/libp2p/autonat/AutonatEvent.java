package org.grapevine.libp2p.autonat;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/** What the AutoNAT client tells the application. */
public sealed interface AutonatEvent {
  /** The host's reachability changed; {@code publicAddrs} are the addresses found reachable. */
  record ReachabilityChanged(Reachability from, Reachability to, List<Multiaddr> publicAddrs)
      implements AutonatEvent {
    public ReachabilityChanged {
      publicAddrs = List.copyOf(publicAddrs);
    }
  }

  /** One address's verdict changed. */
  record AddrReachabilityChanged(Multiaddr addr, Reachability from, Reachability to)
      implements AutonatEvent {}
}
