package org.grapevine.protocol.topic;

import java.util.Optional;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;

/**
 * GossipSub topic names. One topic per identity and protocol version; every device log of the
 * identity (and its root log) is published on it:
 *
 * <pre>  grapevine/1/id/gv1...   (the identity string)</pre>
 *
 * A new protocol version gets new topics, so old and new nodes never misread each other.
 */
public final class Topics {
  /** The version in topic names; bump it only for incompatible changes of what is published. */
  public static final int PROTOCOL_VERSION = 1;

  static final String IDENTITY_PREFIX = "grapevine/" + PROTOCOL_VERSION + "/id/";

  private Topics() {}

  /** The topic an identity's entries are published on. */
  public static String forIdentity(Identity identity) {
    return IDENTITY_PREFIX + identity;
  }

  /** The identity of an identity topic; empty for any other topic (another version, garbage). */
  public static Optional<Identity> identityOf(String topic) {
    if (topic == null || !topic.startsWith(IDENTITY_PREFIX)) {
      return Optional.empty();
    }
    String rest = topic.substring(IDENTITY_PREFIX.length());
    if (rest.length() != Identity.STRING_LENGTH
        || !rest.equals(rest.toLowerCase(java.util.Locale.ROOT))) {
      return Optional.empty(); // Only the canonical form names a topic.
    }
    try {
      return Optional.of(Identity.parse(rest));
    } catch (IdentityFormatException e) {
      return Optional.empty();
    }
  }
}
