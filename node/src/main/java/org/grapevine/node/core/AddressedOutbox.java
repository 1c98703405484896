package org.grapevine.node.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** Addressee topic → its messages, oldest first; topics in order of arrival. */
  private final Map<String, ArrayDeque<Held>> waiting = new LinkedHashMap<>();

  /**
   * {@link #nextExpiry}'s answer, recomputed only after a change ({@code dirty}): the drivers ask
   * after every input, and up to {@link #MAX_MESSAGES} topics may wait.
   */
  private long next = Long.MAX_VALUE;

  private boolean dirty;

  /**
   * Topics a full outbox emptied, reported by the next {@link #expire}, due at {@code emptiedAt}.
   */
  private final List<String> emptied = new ArrayList<>();

  private long emptiedAt;

  private int size;
  private long held;
  private long sentLate;
  private long expired;
  private long droppedFull;

  /**
   * Keeps {@code message} for addressee topic {@code to}; true when it is the topic's first waiting
   * message (the caller starts looking for its peers).
   */
  boolean hold(String to, byte[] message, long nowNanos) {
    ArrayDeque<Held> q = waiting.get(to);
    boolean first = q == null;
    if (first) {
      q = new ArrayDeque<>();
      waiting.put(to, q);
    }
    if (q.size() >= MAX_PER_ADDRESSEE) {
      q.pollFirst();
      size--;
      droppedFull++;
    } else if (size >= MAX_MESSAGES) {
      dropOldest(to, nowNanos);
    }
    q.addLast(new Held(message, nowNanos + TTL_NANOS));
    size++;
    held++;
    dirty = true;
    return first;
  }

  /** The messages waiting for topic {@code to}, oldest first, removed; empty if none. */
  List<byte[]> take(String to) {
    ArrayDeque<Held> q = waiting.remove(to);
    if (q == null) {
      return List.of();
    }
    List<byte[]> out = new ArrayList<>(q.size());
    for (Held h : q) {
      out.add(h.message);
    }
    size -= out.size();
    sentLate += out.size();
    dirty = true;
    return out;
  }

  /** Whether messages wait for topic {@code to}. */
  boolean waitsFor(String to) {
    return waiting.containsKey(to);
  }

  /** Drops what waited too long; returns the addressee topics left with nothing waiting. */
  List<String> expire(long nowNanos) {
    long due = nextExpiry();
    if (emptied.isEmpty() && (due == Long.MAX_VALUE || nowNanos - due < 0)) {
      return List.of(); // Nothing is due: no walk over the topics.
    }
    List<String> out = new ArrayList<>(emptied);
    emptied.clear();
    for (Iterator<Map.Entry<String, ArrayDeque<Held>>> it = waiting.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, ArrayDeque<Held>> e = it.next();
      ArrayDeque<Held> q = e.getValue();
      while (!q.isEmpty() && nowNanos - q.peekFirst().expiresAt >= 0) {
        q.pollFirst();
        size--;
        expired++;
      }
      if (q.isEmpty()) {
        it.remove();
        out.add(e.getKey());
      }
    }
    dirty = true;
    return out;
  }

  /**
   * When {@link #expire} has something to do: the oldest waiting message's expiry, or when a full
   * outbox emptied a topic; {@link Long#MAX_VALUE} when nothing waits.
   */
  long nextExpiry() {
    if (dirty) {
      dirty = false;
      next = Long.MAX_VALUE;
      for (ArrayDeque<Held> q : waiting.values()) {
        long at = q.peekFirst().expiresAt;
        if (next == Long.MAX_VALUE || at - next < 0) {
          next = at;
        }
      }
      if (!emptied.isEmpty()) {
        next = emptiedAt;
      }
    }
    return next;
  }

  /** Drops the oldest waiting message of a topic other than {@code keep}. */
  private void dropOldest(String keep, long nowNanos) {
    long oldest = 0;
    String from = null;
    for (Map.Entry<String, ArrayDeque<Held>> e : waiting.entrySet()) {
      Held h = e.getValue().peekFirst();
      if (h != null && (from == null || h.expiresAt - oldest < 0)) {
        oldest = h.expiresAt;
        from = e.getKey();
      }
    }
    if (from == null) {
      return;
    }
    ArrayDeque<Held> q = waiting.get(from);
    q.pollFirst();
    size--;
    droppedFull++;
    if (q.isEmpty() && !from.equals(keep)) {
      waiting.remove(from);
      emptied.add(from); // Its lookup ends at the next expire, which is due now.
      emptiedAt = nowNanos;
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
