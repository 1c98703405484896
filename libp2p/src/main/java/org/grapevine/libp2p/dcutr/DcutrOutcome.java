package org.grapevine.libp2p.dcutr;

/** How a hole punch ended, and whose fault it was if it failed. */
public enum DcutrOutcome {
  /** A direct connection was made: migrate to it. */
  DIRECT(false),
  /** Every attempt's dials failed (the NATs defeat hole punching): keep the relayed connection. */
  DIALS_FAILED(false),
  /** We have no observed public address to offer (the initiator ends before sending anything). */
  NO_OWN_ADDRS(false),
  /** The peer offered no address we can dial. */
  NO_PEER_ADDRS(false),
  /** The peer did not answer in time. */
  TIMED_OUT(true),
  /** The stream closed before the hole punch was over (the peer went, or gave up). */
  CLOSED(false),
  /** A message out of turn, a malformed one, or more attempts than the spec allows. */
  PROTOCOL_VIOLATION(true);

  private final boolean peerAtFault;

  DcutrOutcome(boolean peerAtFault) {
    this.peerAtFault = peerAtFault;
  }

  /** Whether the peer broke the protocol (or went silent), as opposed to the network failing. */
  public boolean peerAtFault() {
    return peerAtFault;
  }
}
