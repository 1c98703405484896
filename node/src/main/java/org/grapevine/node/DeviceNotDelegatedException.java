package org.grapevine.node;

import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * The node cannot write: its device key is not (or no longer) delegated in the identity's root log
 * as this node holds it. Nothing was signed. Not the caller's bug and not the node's: the root log
 * has to arrive (sync from a peer that holds it) or the device was revoked.
 */
public final class DeviceNotDelegatedException extends IllegalStateException {
  private final boolean revoked;

  DeviceNotDelegatedException(Identity identity, AuthorKey device, boolean revoked) {
    super(
        revoked
            ? "this node's device "
                + device.toHex()
                + " was revoked by "
                + identity
                + "; it can no longer write"
            : "this node's device "
                + device.toHex()
                + " is not delegated by "
                + identity
                + " in the root log this node holds;"
                + " it waits for the identity's root log from its peers (connect to a node of the identity, e.g. --bootstrap)");
    this.revoked = revoked;
  }

  /**
   * True if the device was revoked (it will never write again), false if its delegation is not held
   * yet.
   */
  public boolean revoked() {
    return revoked;
  }
}
