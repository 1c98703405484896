package org.grapevine.node.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.protocol.validation.Verification;

/**
 * Gossip messages out for verification ({@link CoreCommand.VerifyGossip}), judged in the order they
 * arrived whatever order their verifications come back in: a driver that verifies on a pool would
 * otherwise store an identity's entry n+1 before n, see a gap that is not there and sync for it.
 * Bounded by the router, which hands out at most its {@code maxPendingValidations} messages before
 * their verdicts and drops (and counts) the rest.
 */
final class PendingGossip {
  /** One message and, once known, its verification (null: not back yet). */
  private static final class Slot {
    final GossipEvent.MessageReceived message;
    Verification verification;
    boolean failed;

    Slot(GossipEvent.MessageReceived message) {
      this.message = message;
    }
  }

  private final ArrayDeque<Long> order = new ArrayDeque<>(1); // mostly empty; grows as needed
  private final Map<Long, Slot> slots = new HashMap<>();
  private long nextToken;

  /** The message's token for its verification. */
  long add(GossipEvent.MessageReceived message) {
    long token = nextToken++;
    order.addLast(token);
    slots.put(token, new Slot(message));
    return token;
  }

  /** The verification of {@code token} is back; null when it could not be verified here. */
  void verified(long token, Verification verification) {
    Slot s = slots.get(token);
    if (s != null) {
      s.verification = verification;
      s.failed = verification == null;
    }
  }

  /**
   * Hands every message at the head whose verification is back to {@code judge}, in arrival order
   * (the verification is null for one that could not be verified).
   */
  void drainReady(BiConsumer<GossipEvent.MessageReceived, Verification> judge) {
    for (Long head = order.peekFirst(); head != null; head = order.peekFirst()) {
      Slot s = slots.get(head);
      if (s.verification == null && !s.failed) {
        return;
      }
      order.pollFirst();
      slots.remove(head);
      judge.accept(s.message, s.verification);
    }
  }

  int size() {
    return slots.size();
  }
}
