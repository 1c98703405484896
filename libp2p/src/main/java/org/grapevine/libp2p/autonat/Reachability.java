package org.grapevine.libp2p.autonat;

/** Whether peers on the internet can dial us, as AutoNAT found out. */
public enum Reachability {
  /** Not known yet (too few answers, or they disagree). */
  UNKNOWN,
  /** At least one of our addresses was dialled back by enough servers. */
  PUBLIC,
  /** Our tested addresses failed with enough servers and none succeeded: we are behind a NAT. */
  PRIVATE
}
