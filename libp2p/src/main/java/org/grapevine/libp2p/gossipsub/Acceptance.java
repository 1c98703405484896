package org.grapevine.libp2p.gossipsub;

/**
 * The application's verdict on a received message (gossipsub-v1.1.md "Extended Validators"): ACCEPT
 * delivers and forwards, REJECT drops and penalises the sender (P4), IGNORE drops without penalty.
 * Overload and back-pressure map to IGNORE, never REJECT.
 */
public enum Acceptance {
  ACCEPT,
  IGNORE,
  REJECT
}
