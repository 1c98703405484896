package org.grapevine.protocol.validation;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.proto.Content;

/**
 * The devices of one identity, folded from its root log in seq order.
 *
 * <p>Rules: a delegation makes a device ACTIVE; a revocation makes it REVOKED with its last valid
 * seq, and is final: a later delegation of the same key has no effect (a stolen key must not come
 * back by replaying an old delegation), and a later revocation can only lower the last valid seq.
 * Not thread-safe.
 */
public final class DeviceSet {
  private final Map<AuthorKey, DeviceStatus> devices = new HashMap<>();

  /** Applies one root-log content; other kinds are ignored. */
  public void apply(Content content) {
    switch (content.getBodyCase()) {
      case DELEGATE_DEVICE -> {
        AuthorKey device = AuthorKey.of(content.getDelegateDevice().getDevice().toByteArray());
        devices.putIfAbsent(device, DeviceStatus.ACTIVE);
      }
      case REVOKE_DEVICE -> {
        AuthorKey device = AuthorKey.of(content.getRevokeDevice().getDevice().toByteArray());
        long last = content.getRevokeDevice().getLastValidSeq();
        DeviceStatus old = devices.get(device);
        if (old != null && old.state() == DeviceStatus.State.REVOKED) {
          last = Math.min(last, old.lastValidSeq());
        }
        devices.put(device, DeviceStatus.revoked(last));
      }
      default -> {
        // Not a root-log kind: nothing to fold.
      }
    }
  }

  public DeviceStatus status(AuthorKey device) {
    return devices.getOrDefault(device, DeviceStatus.UNKNOWN);
  }

  public Map<AuthorKey, DeviceStatus> all() {
    return Collections.unmodifiableMap(devices);
  }
}
