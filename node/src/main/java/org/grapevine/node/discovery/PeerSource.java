package org.grapevine.node.discovery;

/** Where we learned of a peer. */
public enum PeerSource {
  /** The configuration or the command line. Such peers are never forgotten. */
  BOOTSTRAP,
  /** The persisted peer table, at start. */
  STORED,
  /** mDNS on the LAN. */
  MDNS,
  /** The listen addresses the peer announced in identify. */
  IDENTIFY,
  /** GossipSub peer exchange (a PRUNE's peer list). */
  PEER_EXCHANGE,
  /** The peer connected to us. */
  INBOUND,
  /** A DHT provider of a topic we follow (topic rendezvous): kept connected while needed. */
  TOPIC,
  /** Given through the local API ({@code POST /v1/peers}, e.g. from an invite). */
  INVITE
}
