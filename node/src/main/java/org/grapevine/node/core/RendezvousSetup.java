package org.grapevine.node.core;

import java.util.Objects;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.protocol.identity.Identity;

/**
 * What a {@link NodeCore} needs to find the peers of its topics through the DHT: the node's DHT
 * (new, owned by the core from now on), the rendezvous settings, and the node's own identity (whose
 * topic is always provided and never looked up).
 */
public record RendezvousSetup(Dht dht, RendezvousConfig config, Identity own) {
  public RendezvousSetup {
    Objects.requireNonNull(dht, "dht");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(own, "own");
  }
}
