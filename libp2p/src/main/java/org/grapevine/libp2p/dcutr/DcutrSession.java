package org.grapevine.libp2p.dcutr;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * One side of a DCUtR hole punch on one {@code /libp2p/dcutr} stream (libp2p/specs relay/DCUtR.md),
 * sans I/O. Peers A and B share a relayed connection that A dialled; B, the inbound side, is the
 * {@linkplain #initiator initiator}:
 *
 * <ol>
 *   <li>B opens the stream, sends CONNECT with its observed addresses and starts measuring the
 *       round trip.
 *   <li>A, the {@linkplain #responder responder}, answers CONNECT with its own.
 *   <li>B sends SYNC and dials A after half the measured round trip; A dials B as soon as SYNC
 *       arrives. The two dials meet in the middle as one TCP simultaneous open, on which A is the
 *       client (multistream-select and Noise initiator) and B the server, as the spec says.
 *   <li>On failure B starts again at 1 on the same stream (a fresh round trip each time), three
 *       attempts in all ({@link #MAX_ATTEMPTS}); A accepts as many CONNECTs and no more.
 * </ol>
 *
 * <p>Call order: the driver feeds {@link #handleMessage}, {@link #handleDialResult}, {@link
 * #handleDirectConnection}, {@link #handleClosed} and {@link #handleTimeout} (at {@link
 * #pollTimeout}), each with the time, and after each drains {@link #poll}. The first {@link
 * DcutrOutput.Done} ends the session; inputs after it are ignored. A message that breaks the turn
 * order ends it as {@link DcutrOutcome#PROTOCOL_VIOLATION}; the spec gives no timeout, so {@code
 * timeoutNanos} bounds each wait for the peer (its answer, its SYNC, its next attempt).
 *
 * <p>Addresses: the peer's are filtered by {@code usable} (the driver's rule: public TCP addresses,
 * not relay addresses); ours are given, already filtered, at construction.
 */
public final class DcutrSession {
  /** "Inbound peers (here B) SHOULD retry twice (thus a total of 3 attempts)." */
  public static final int MAX_ATTEMPTS = 3;

  private enum State {
    AWAIT_CONNECT,
    AWAIT_DIAL_TIME,
    AWAIT_SYNC,
    DIALING,
    DONE
  }

  private final boolean initiator;
  private final List<Multiaddr> ownAddrs;
  private final Predicate<Multiaddr> usable;
  private final long timeoutNanos;
  private final ArrayDeque<DcutrOutput> out = new ArrayDeque<>();
  private State state = State.AWAIT_CONNECT;
  private List<Multiaddr> peerAddrs = List.of();
  private List<Multiaddr> peerOffered = List.of();
  private int attempts;
  private long connectSentAt;
  private long deadline = Long.MAX_VALUE;
  private long lastRttNanos = -1;
  private boolean streamClosed;

  private DcutrSession(
      boolean initiator, List<Multiaddr> ownAddrs, Predicate<Multiaddr> usable, long timeout) {
    if (timeout <= 0) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    this.initiator = initiator;
    this.ownAddrs = List.copyOf(ownAddrs);
    this.usable = usable;
    this.timeoutNanos = timeout;
  }

  /** B's side: sends the first CONNECT at once (or ends, with no address of ours to offer). */
  public static DcutrSession initiator(
      List<Multiaddr> ownAddrs, Predicate<Multiaddr> usable, long timeoutNanos, long nowNanos) {
    DcutrSession s = new DcutrSession(true, ownAddrs, usable, timeoutNanos);
    if (s.ownAddrs.isEmpty()) {
      s.finish(DcutrOutcome.NO_OWN_ADDRS, "no observed address of ours to offer");
    } else {
      s.sendConnect(nowNanos);
    }
    return s;
  }

  /** A's side: waits for B's CONNECT. */
  public static DcutrSession responder(
      List<Multiaddr> ownAddrs, Predicate<Multiaddr> usable, long timeoutNanos, long nowNanos) {
    DcutrSession s = new DcutrSession(false, ownAddrs, usable, timeoutNanos);
    s.deadline = nowNanos + timeoutNanos;
    return s;
  }

  public void handleMessage(HolePunchMessage m, long nowNanos) {
    if (state == State.DONE) {
      return;
    }
    boolean connect = m.type() == HolePunchMessage.Type.CONNECT;
    if (initiator && state == State.AWAIT_CONNECT && connect) {
      lastRttNanos = nowNanos - connectSentAt;
      if (!takePeerAddrs(m)) {
        return;
      }
      out.add(new DcutrOutput.Send(HolePunchMessage.sync()));
      state = State.AWAIT_DIAL_TIME;
      deadline = nowNanos + lastRttNanos / 2;
    } else if (!initiator && (state == State.AWAIT_CONNECT || state == State.DIALING) && connect) {
      // In DIALING: B's dial failed before ours ended and B starts its next attempt; ours may
      // still succeed (handleDialResult takes a success in any state).
      if (attempts == MAX_ATTEMPTS) {
        finish(DcutrOutcome.PROTOCOL_VIOLATION, "a CONNECT after " + MAX_ATTEMPTS + " attempts");
        return;
      }
      attempts++;
      if (!takePeerAddrs(m)) {
        return;
      }
      out.add(new DcutrOutput.Send(HolePunchMessage.connect(ownAddrs)));
      state = State.AWAIT_SYNC;
      deadline = nowNanos + timeoutNanos;
    } else if (!initiator && state == State.AWAIT_SYNC && !connect) {
      state = State.DIALING;
      deadline = Long.MAX_VALUE; // The driver's dial has its own timeout.
      out.add(new DcutrOutput.Dial(peerAddrs, true)); // A: the client
    } else {
      finish(
          DcutrOutcome.PROTOCOL_VIOLATION,
          m.type() + " while " + state.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * A direct dial asked for by {@link DcutrOutput.Dial} succeeded or failed. A success ends the
   * session whenever it comes; a failure of an earlier attempt's dial is ignored.
   */
  public void handleDialResult(boolean connected, long nowNanos) {
    if (state == State.DONE) {
      return;
    }
    if (connected) {
      // Whenever it comes: a late success of an earlier attempt's dial is a direct connection.
      finish(DcutrOutcome.DIRECT, "after " + attempts + " attempt(s)");
    } else if (state != State.DIALING) {
      return; // A failure of an earlier attempt's dial: the current attempt goes on.
    } else if (streamClosed) {
      // The peer closed first: after the last attempt, because its dial failed too.
      finish(
          attempts == MAX_ATTEMPTS ? DcutrOutcome.DIALS_FAILED : DcutrOutcome.CLOSED,
          attempts == MAX_ATTEMPTS
              ? MAX_ATTEMPTS + " attempts"
              : "the dial failed after the stream closed");
    } else if (initiator && attempts < MAX_ATTEMPTS) {
      sendConnect(nowNanos);
    } else if (initiator) {
      finish(DcutrOutcome.DIALS_FAILED, MAX_ATTEMPTS + " attempts");
    } else {
      // B may try again on this stream; it decides (it counts the attempts).
      state = State.AWAIT_CONNECT;
      deadline = nowNanos + timeoutNanos;
    }
  }

  /**
   * A direct (not relayed) connection to the peer came up while the hole punch runs, whichever dial
   * made it: ours (before its own result arrives), or the peer's, reaching our listening port as an
   * ordinary inbound connection. The latter is how it goes when the peer dials from a port other
   * than the one it listens on (js-libp2p does): its SYN is not the other half of ours, so there is
   * no simultaneous open, and the connection it makes is the one to keep. Ends the session as
   * {@link DcutrOutcome#DIRECT} in any state.
   */
  public void handleDirectConnection(long nowNanos) {
    if (state == State.DONE) {
      return;
    }
    finish(
        DcutrOutcome.DIRECT,
        "a direct connection to the peer came up after " + attempts + " attempt(s)");
  }

  /**
   * The stream closed (or was reset) under us. While we dial, that is how the peer says its side of
   * the same simultaneous open is done (the two ends of one TCP connection finish their upgrades at
   * different moments): our dial's result decides, not the close.
   */
  public void handleClosed(long nowNanos) {
    if (state == State.DONE) {
      return;
    }
    if (state == State.DIALING) {
      streamClosed = true;
      return;
    }
    if (!initiator && state == State.AWAIT_CONNECT && attempts == MAX_ATTEMPTS) {
      finish(DcutrOutcome.DIALS_FAILED, MAX_ATTEMPTS + " attempts");
    } else {
      finish(DcutrOutcome.CLOSED, "stream closed while " + state.name().toLowerCase(Locale.ROOT));
    }
  }

  public void handleTimeout(long nowNanos) {
    if (state == State.DONE || nowNanos < deadline) {
      return;
    }
    if (state == State.AWAIT_DIAL_TIME) {
      state = State.DIALING;
      deadline = Long.MAX_VALUE;
      out.add(new DcutrOutput.Dial(peerAddrs, false)); // B: the server
    } else {
      finish(
          DcutrOutcome.TIMED_OUT,
          "nothing from the peer while " + state.name().toLowerCase(Locale.ROOT));
    }
  }

  public Optional<DcutrOutput> poll() {
    return Optional.ofNullable(out.poll());
  }

  /** When {@link #handleTimeout} is next due, if anything waits on time. */
  public OptionalLong pollTimeout() {
    return deadline == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(deadline);
  }

  public boolean isDone() {
    return state == State.DONE;
  }

  /** Attempts started so far (CONNECTs sent by the initiator, received by the responder). */
  public int attempts() {
    return attempts;
  }

  /** The last round trip the initiator measured over the relay; -1 before any (and on A's side). */
  public long lastRttNanos() {
    return lastRttNanos;
  }

  /** Every address (as read) of the peer's last CONNECT, usable or not; empty before one. */
  public List<Multiaddr> peerOfferedAddrs() {
    return peerOffered;
  }

  private void sendConnect(long nowNanos) {
    attempts++;
    out.add(new DcutrOutput.Send(HolePunchMessage.connect(ownAddrs)));
    connectSentAt = nowNanos;
    state = State.AWAIT_CONNECT;
    deadline = nowNanos + timeoutNanos;
  }

  /** Keeps the peer's usable addresses; false (and the session over) if there are none. */
  private boolean takePeerAddrs(HolePunchMessage m) {
    peerOffered = m.addrs();
    peerAddrs = m.addrs().stream().filter(usable).toList();
    if (peerAddrs.isEmpty()) {
      finish(
          DcutrOutcome.NO_PEER_ADDRS,
          m.addrs().size() + " address(es) offered, none usable, " + m.skippedAddrs() + " unread");
      return false;
    }
    return true;
  }

  private void finish(DcutrOutcome outcome, String detail) {
    state = State.DONE;
    deadline = Long.MAX_VALUE;
    out.add(new DcutrOutput.Done(outcome, detail));
  }
}
