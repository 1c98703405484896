package org.grapevine.libp2p.autonat;

import java.util.HashMap;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What the client knows of one candidate address: each server's latest answer (so one server counts
 * once however often it is asked), the servers that refused to dial it, and when to ask next. The
 * verdict (the confidence rule): {@code PUBLIC} when at least {@code confidence} successes
 * outnumber the failures, {@code PRIVATE} when at least {@code confidence} failures outnumber the
 * successes, {@code UNKNOWN} otherwise; answers older than the TTL do not count.
 */
final class AddrCheck {
  /** One server's answer: reachable or not, and when. */
  record Answer(boolean reachable, long atNanos) {}

  final Map<PeerId, Answer> answers = new HashMap<>();
  final Map<PeerId, Long> refusedBy = new HashMap<>();
  long nextCheckNanos;
  boolean inFlight;
  Reachability verdict = Reachability.UNKNOWN;

  AddrCheck(long nextCheckNanos) {
    this.nextCheckNanos = nextCheckNanos;
  }

  /** Forgets answers and refusals older than {@code ttlNanos}. */
  void expire(long nowNanos, long ttlNanos) {
    answers.values().removeIf(a -> nowNanos - a.atNanos() >= ttlNanos);
    refusedBy.values().removeIf(t -> nowNanos - t >= ttlNanos);
  }

  Reachability computeVerdict(int confidence) {
    int ok = 0;
    int failed = 0;
    for (Answer a : answers.values()) {
      if (a.reachable()) {
        ok++;
      } else {
        failed++;
      }
    }
    if (ok >= confidence && ok > failed) {
      return Reachability.PUBLIC;
    }
    if (failed >= confidence && failed > ok) {
      return Reachability.PRIVATE;
    }
    return Reachability.UNKNOWN;
  }

  /** The earliest time an answer or refusal runs out, or Long.MAX_VALUE. */
  long nextExpiry(long ttlNanos) {
    long t = Long.MAX_VALUE;
    for (Answer a : answers.values()) {
      t = Math.min(t, a.atNanos() + ttlNanos);
    }
    for (long r : refusedBy.values()) {
      t = Math.min(t, r + ttlNanos);
    }
    return t;
  }
}
