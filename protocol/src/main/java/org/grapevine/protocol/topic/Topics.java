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
 *
 * <p>Each identity also has an addressee topic, where others publish the entries that address it
 * (replies, mentions, reactions, reposts: {@code Addressees}) as {@code Addressed} messages:
 *
 * <pre>  grapevine/1/to/gv1...</pre>
 *
 * It is a topic of its own, not the identity topic, because every reader of an identity topic
 * refuses (and blames the forwarder of) an entry of another identity there; a node that predates
 * addressee topics never subscribes to one, and GossipSub sends a topic's messages only to its
 * subscribers, so such a node never receives an addressed message and is not harmed by them.
 */
public final class Topics {
  /** The version in topic names; bump it only for incompatible changes of what is published. */
  public static final int PROTOCOL_VERSION = 1;

  static final String IDENTITY_PREFIX = "grapevine/" + PROTOCOL_VERSION + "/id/";

  static final String ADDRESSEE_PREFIX = "grapevine/" + PROTOCOL_VERSION + "/to/";

  private Topics() {}

  /**
   * The topic an identity's entries are published on. Interned, as {@link #forAddressee}: a node
   * keeps each name in many places (its router's tables, per peer and per topic), a simulation of
   * many nodes in one JVM keeps the same names millions of times over, and with one instance per
   * name those copies cost nothing and comparing two names is mostly an identity check.
   */
  public static String forIdentity(Identity identity) {
    return (IDENTITY_PREFIX + identity).intern();
  }

  /** The topic where entries addressing {@code identity} are published ({@code Addressed}). */
  public static String forAddressee(Identity identity) {
    return (ADDRESSEE_PREFIX + identity).intern();
  }

  /** The identity of an identity topic; empty for any other topic (another version, garbage). */
  public static Optional<Identity> identityOf(String topic) {
    return parse(topic, IDENTITY_PREFIX);
  }

  /** The identity of an addressee topic; empty for any other topic. */
  public static Optional<Identity> addresseeOf(String topic) {
    return parse(topic, ADDRESSEE_PREFIX);
  }

  private static Optional<Identity> parse(String topic, String prefix) {
    if (topic == null || !topic.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = topic.substring(prefix.length());
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
