package org.grapevine.node.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.protocol.identity.Identity;

/**
 * Own addressed messages waiting for a peer to carry them (issue 15, docs/ARCHITECTURE.md,
 * "Reaching the addressee"). GossipSub publishes on a topic we do not subscribe to through its
 * fanout: the connected peers heard to subscribe. A writer who neither follows the addressee nor
 * shares a connection with any of its followers has none, and a message published then would go
 * nowhere and sit in the router's seen cache, so that a later publish of the same bytes is refused.
 * So such a message waits here, per addressee topic, while the {@link Rendezvous} looks up the
 * addressee's providers and connects to some; the first peer heard to subscribe to the addressee
 * topic takes all that waits for it.
 *
 * <p>Bounded: at most {@link #MAX_PER_ADDRESSEE} messages per addressee and {@link #MAX_MESSAGES}
 * in all, the oldest dropped first when full; each waits at most {@link #TTL_NANOS}. Every drop is
 * counted ({@link #expired}, {@link #droppedFull}); the entry itself is in our log either way, so
 * the addressee gets it by sync once it follows us. Not thread-safe: the core's.
 */
final class AddressedOutbox {
  static final int MAX_PER_ADDRESSEE = 64;
  static final int MAX_MESSAGES = 1_024;

  /**
   * How long a message waits: a DHT lookup takes a second or two and a dial a few round trips; one
   * that found nobody backs off 10 s, then 20 s, so ten minutes covers several tries, and a reply
   * delivered later than that has lost most of its point.
   */
  static final long TTL_NANOS = Duration.ofMinutes(10).toNanos();

  private static final class Held {
    final byte[] message;
    final long expiresAt;

    Held(byte[] message, long expiresAt) {
      this.message = message;
      this.expiresAt = expiresAt;
    }
  }

  /** Addressee topic → its addressee and its messages, oldest first; topics in order of arrival. */
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();

  private static final class Waiting {
    final Identity addressee;
    final ArrayDeque<Held> messages = new ArrayDeque<>();

    Waiting(Identity addressee) {
      this.addressee = addressee;
    }
  }

  private int size;
  private long held;
  private long sentLate;
  private long expired;
  private long droppedFull;

  /**
   * Keeps {@code message} for {@code addressee}'s topic {@code to}; true when it is the topic's
   * first waiting message (the caller starts looking for its peers).
   */
  boolean hold(String to, Identity addressee, byte[] message, long nowNanos) {
    Waiting w = waiting.get(to);
    boolean first = w == null;
    if (first) {
      w = new Waiting(addressee);
      waiting.put(to, w);
    }
    if (w.messages.size() >= MAX_PER_ADDRESSEE) {
      w.messages.pollFirst();
      size--;
      droppedFull++;
    } else if (size >= MAX_MESSAGES) {
      dropOldest();
    }
    w.messages.addLast(new Held(message, nowNanos + TTL_NANOS));
    size++;
    held++;
    return first;
  }

  /** The messages waiting for topic {@code to}, oldest first, removed; empty if none. */
  List<byte[]> take(String to) {
    Waiting w = waiting.remove(to);
    if (w == null) {
      return List.of();
    }
    List<byte[]> out = new ArrayList<>(w.messages.size());
    for (Held h : w.messages) {
      out.add(h.message);
    }
    size -= out.size();
    sentLate += out.size();
    return out;
  }

  /** Whether messages wait for topic {@code to}. */
  boolean waitsFor(String to) {
    return waiting.containsKey(to);
  }

  /** Drops what waited too long; returns the addressee topics left with nothing waiting. */
  List<String> expire(long nowNanos) {
    List<String> emptied = new ArrayList<>();
    for (Iterator<Map.Entry<String, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Waiting> e = it.next();
      ArrayDeque<Held> q = e.getValue().messages;
      while (!q.isEmpty() && nowNanos - q.peekFirst().expiresAt >= 0) {
        q.pollFirst();
        size--;
        expired++;
      }
      if (q.isEmpty()) {
        it.remove();
        emptied.add(e.getKey());
      }
    }
    return emptied;
  }

  /**
   * When the oldest waiting message expires ({@code nowNanos} for a topic emptied by {@link
   * #dropOldest}); {@link Long#MAX_VALUE} when none waits.
   */
  long nextExpiry(long nowNanos) {
    long next = Long.MAX_VALUE;
    for (Waiting w : waiting.values()) {
      Held first = w.messages.peekFirst();
      long at = first == null ? nowNanos : first.expiresAt;
      if (next == Long.MAX_VALUE || at - next < 0) {
        next = at;
      }
    }
    return next;
  }

  /** The addressee of each topic with waiting messages, for lookups started again. */
  Map<String, Identity> addressees() {
    Map<String, Identity> out = new LinkedHashMap<>();
    waiting.forEach((to, w) -> out.put(to, w.addressee));
    return out;
  }

  /** Drops the oldest waiting message; a topic left empty goes at the next {@link #expire}. */
  private void dropOldest() {
    long oldest = 0;
    Waiting from = null;
    for (Map.Entry<String, Waiting> e : waiting.entrySet()) {
      Held h = e.getValue().messages.peekFirst();
      if (h != null && (from == null || h.expiresAt - oldest < 0)) {
        oldest = h.expiresAt;
        from = e.getValue();
      }
    }
    if (from != null) {
      from.messages.pollFirst();
      size--;
      droppedFull++;
    }
  }

  int size() {
    return size;
  }

  /** Messages that had to wait for a peer, ever. */
  long held() {
    return held;
  }

  /** Waiting messages published once a peer came. */
  long sentLate() {
    return sentLate;
  }

  /** Waiting messages dropped after {@link #TTL_NANOS} with no peer. */
  long expired() {
    return expired;
  }

  /** Waiting messages dropped because the outbox was full. */
  long droppedFull() {
    return droppedFull;
  }
}
