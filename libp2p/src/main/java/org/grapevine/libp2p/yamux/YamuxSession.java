package org.grapevine.libp2p.yamux;

import static org.grapevine.libp2p.yamux.YamuxFlags.ACK;
import static org.grapevine.libp2p.yamux.YamuxFlags.FIN;
import static org.grapevine.libp2p.yamux.YamuxFlags.RST;
import static org.grapevine.libp2p.yamux.YamuxFlags.SYN;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Yamux state for one side of one connection (spec: libp2p/specs yamux/README.md; digest and
 * interop notes: libp2p-notes §8.1). Sans-I/O: no sockets, threads, clocks or logging. Not
 * thread-safe: confine to one event loop or to a simulator thread.
 *
 * <p>Method kinds (as in quinn-proto's Connection):
 *
 * <ul>
 *   <li>{@code handle*}: inputs from the transport or the clock; they take {@code nowNanos}, which
 *       must not decrease between calls. {@link #handleInbound} never throws for bad peer bytes: a
 *       protocol violation becomes a {@link YamuxEvent.SessionError}.
 *   <li>commands: {@link #openStream}, {@link #write}, {@link #closeWrite}, {@link #reset}, {@link
 *       #consumed}, {@link #ping}, {@link #goAway}. Misuse (such as writing after closeWrite)
 *       throws IllegalStateException / IllegalArgumentException.
 *   <li>{@code poll*}: outputs. After any input or command drain {@link #pollOutbound} until null,
 *       then {@link #pollTimeout}, then {@link #pollEvent} until empty. Acting on an event (say,
 *       writing in reply) is a command, after which draining starts over.
 * </ul>
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>The dialer (client) opens odd stream ids from 1, the listener even ids from 2. A SYN with
 *       our parity, on stream 0, or for a live stream is a protocol error.
 *   <li>SYN/ACK/FIN/RST are honoured on Data and WindowUpdate frames alike, with any delta.
 *   <li>Streams open with WindowUpdate|SYN and are accepted with WindowUpdate|ACK at once (so the
 *       peer's ACK backlog drains even if we never write); the delta is {@code receiveWindowBytes -
 *       256 KiB}, 0 by default (js's opening frame). FIN and RST go out as WindowUpdate, length 0.
 *   <li>Flow control: we send only within the peer's window, queuing and chunking the rest. The
 *       peer may send up to the credit we granted; one byte more is a protocol error. Credit is
 *       granted back once the application reports bytes {@link #consumed}, in deltas of at least
 *       half the window, so memory per stream is bounded by {@code receiveWindowBytes}.
 *   <li>Frames without SYN for unknown or finished streams are ignored, never fatal.
 *   <li>Ping SYN is answered with Ping ACK carrying the same value; an ACK we did not ask for is
 *       ignored. We never send an unsolicited ACK (js treats one as fatal).
 *   <li>A stream is forgotten after FIN both ways or RST either way.
 * </ol>
 *
 * <p>Discrepancies: no window auto-tuning (js and go double the window per RTT epoch; we keep a
 * fixed, configurable window), and a missing ping answer is not fatal (js's connection monitor, not
 * yamux, enforces liveness).
 */
public final class YamuxSession {
  private static final int MAX_PINGS_IN_FLIGHT = 16;

  private final YamuxConfig config;
  private final boolean client;
  private final ByteBufAllocator alloc;
  private final Map<Long, YamuxStreamState> streams = new HashMap<>();
  private final ArrayDeque<ByteBuf> outbound = new ArrayDeque<>();
  private final ArrayDeque<YamuxEvent> events = new ArrayDeque<>();

  /** Ping value -> send time; insertion order lets us drop the oldest. */
  private final LinkedHashMap<Long, Long> pingsInFlight = new LinkedHashMap<>();

  /** Bytes received but not yet framed: always less than one frame. */
  private ByteBuf cumulation;

  /** Whether {@link #cumulation} is a buffer we allocated (and may append to). */
  private boolean cumulationOwned;

  private long nextOutboundId;
  private long nextPingValue = 1;
  private int inboundCount;
  private int outboundCount;
  private int unackedOutbound;
  private long nextKeepaliveNanos;
  private long closeDeadlineNanos = Long.MAX_VALUE;
  private boolean localGoAway;
  private boolean remoteGoAway;
  private boolean terminated;

  /**
   * @param client whether this side dialed the connection (then it opens odd stream ids)
   * @param alloc allocates outbound frames and the inbound reassembly buffer
   */
  public YamuxSession(YamuxConfig config, boolean client, ByteBufAllocator alloc, long nowNanos) {
    this.config = config;
    this.client = client;
    this.alloc = alloc;
    this.nextOutboundId = client ? 1 : 2;
    long interval = config.keepaliveIntervalNanos();
    this.nextKeepaliveNanos = interval == 0 ? Long.MAX_VALUE : nowNanos + interval;
  }

  public YamuxConfig config() {
    return config;
  }

  public boolean client() {
    return client;
  }

  // ---------------------------------------------------------------------------------- inputs

  /**
   * Bytes from the transport, which may hold part of a frame or many frames. Takes ownership of
   * {@code bytes}. At most one incomplete frame (at most 12 bytes plus the receive window) stays
   * buffered.
   */
  public void handleInbound(ByteBuf bytes, long nowNanos) {
    if (terminated) {
      bytes.release();
      return;
    }
    append(bytes);
    try {
      YamuxFrame frame;
      while (!terminated
          && (frame = YamuxFrameCodec.decode(cumulation, config.receiveWindowBytes())) != null) {
        onFrame(frame, nowNanos);
      }
    } catch (YamuxException e) {
      fail(e.errorCode(), e.getMessage());
    }
    if (terminated || !cumulation.isReadable()) {
      releaseCumulation();
    }
    maybeFinishClose();
  }

  /** The clock reached {@link #pollTimeout}: sends keepalive pings, ends an overdue close. */
  public void handleTimeout(long nowNanos) {
    if (terminated) {
      return;
    }
    if (nowNanos >= nextKeepaliveNanos) {
      sendPing(nowNanos);
      nextKeepaliveNanos = nowNanos + config.keepaliveIntervalNanos();
    }
    if (nowNanos >= closeDeadlineNanos) {
      resetAll();
      terminate(new YamuxEvent.SessionClosed());
    }
  }

  /**
   * The transport closed: every open stream is reset (one event each) and all buffers are released,
   * including unsent outbound frames. Idempotent.
   */
  public void handleTransportClosed() {
    if (!terminated) {
      resetAll();
      terminated = true;
    }
    releaseCumulation();
    ByteBuf b;
    while ((b = outbound.poll()) != null) {
      b.release();
    }
  }

  // -------------------------------------------------------------------------------- commands

  /**
   * Opens an outbound stream and queues its WindowUpdate|SYN; data may be written at once.
   *
   * @throws IllegalStateException if the session has ended or either side sent GoAway, or at the
   *     outbound stream limit or the ACK backlog, or when stream ids are exhausted
   */
  public long openStream() {
    if (terminated || localGoAway || remoteGoAway) {
      throw new IllegalStateException("yamux session is closing; no new streams");
    }
    if (outboundCount >= config.maxOutboundStreams()) {
      throw new IllegalStateException("outbound stream limit reached: " + outboundCount);
    }
    if (unackedOutbound >= config.ackBacklog()) {
      throw new IllegalStateException("ACK backlog full: " + unackedOutbound + " unacknowledged");
    }
    if (nextOutboundId > YamuxFrame.MAX_U32) {
      throw new IllegalStateException("stream ids exhausted");
    }
    long id = nextOutboundId;
    nextOutboundId += 2;
    YamuxStreamState s = new YamuxStreamState(id, true, config.receiveWindowBytes());
    streams.put(id, s);
    outboundCount++;
    unackedOutbound++;
    queueControl(YamuxType.WINDOW_UPDATE, SYN, id, extraWindow());
    return id;
  }

  /**
   * Queues {@code data} on a stream; takes ownership. Sends what the peer's window allows now, in
   * chunks of at most {@code maxSendChunkBytes}, and the rest as WindowUpdates arrive.
   *
   * @return false (data released) if the stream is unknown: reset, finished, or the session ended
   * @throws IllegalStateException if we already half-closed the stream
   */
  public boolean write(long streamId, ByteBuf data) {
    YamuxStreamState s = terminated ? null : streams.get(streamId);
    if (s == null) {
      data.release();
      return false;
    }
    if (s.localFinQueued) {
      data.release();
      throw new IllegalStateException("write after closeWrite on stream " + streamId);
    }
    if (!data.isReadable()) {
      data.release();
      return true;
    }
    s.enqueue(data);
    flush(s);
    if (!s.writable() && !s.removed) {
      s.blocked = true;
    }
    return true;
  }

  /** Half-closes our direction (FIN after queued data). No-op for unknown or closed streams. */
  public void closeWrite(long streamId) {
    YamuxStreamState s = terminated ? null : streams.get(streamId);
    if (s == null || s.localFinQueued) {
      return;
    }
    s.localFinQueued = true;
    flush(s);
    maybeFinishClose();
  }

  /** Resets a stream (RST) and drops its queued writes. No event follows. No-op if unknown. */
  public void reset(long streamId) {
    YamuxStreamState s = terminated ? null : streams.get(streamId);
    if (s == null) {
      return;
    }
    queueControl(YamuxType.WINDOW_UPDATE, RST, streamId, 0);
    remove(s);
    maybeFinishClose();
  }

  /**
   * The application has taken {@code bytes} of this stream's delivered data. Reopens the peer's
   * window once at least half of it is owed. No-op for streams already forgotten.
   *
   * @throws IllegalArgumentException if more bytes are reported than were delivered
   */
  public void consumed(long streamId, long bytes) {
    YamuxStreamState s = terminated ? null : streams.get(streamId);
    if (s == null) {
      return;
    }
    if (bytes < 0 || bytes > s.unconsumed) {
      throw new IllegalArgumentException(
          "consumed " + bytes + " of " + s.unconsumed + " delivered bytes on stream " + streamId);
    }
    s.unconsumed -= bytes;
    if (s.remoteFin) {
      return; // the peer sends no more: credit would be wasted
    }
    s.pendingGrant += bytes;
    if (s.pendingGrant >= config.receiveWindowBytes() / 2) {
      queueControl(YamuxType.WINDOW_UPDATE, 0, streamId, s.pendingGrant);
      s.recvWindow += s.pendingGrant;
      s.pendingGrant = 0;
    }
  }

  /**
   * Sends a Ping SYN; the answer yields {@link YamuxEvent.PingRtt} with the returned value.
   *
   * @throws IllegalStateException if the session has ended
   */
  public long ping(long nowNanos) {
    if (terminated) {
      throw new IllegalStateException("yamux session ended");
    }
    return sendPing(nowNanos);
  }

  /**
   * Sends GoAway. {@link YamuxErrorCode#NORMAL} is graceful: no new streams either way, and {@link
   * YamuxEvent.SessionClosed} once open streams finish or {@code goAwayGraceNanos} passes. Any
   * other code ends the session at once (streams reset, then SessionClosed). Repeated calls are
   * no-ops.
   */
  public void goAway(YamuxErrorCode code, long nowNanos) {
    if (terminated || localGoAway) {
      return;
    }
    localGoAway = true;
    queueControl(YamuxType.GO_AWAY, 0, 0, code.code());
    if (code != YamuxErrorCode.NORMAL) {
      resetAll();
      terminate(new YamuxEvent.SessionClosed());
      return;
    }
    closeDeadlineNanos = nowNanos + config.goAwayGraceNanos();
    maybeFinishClose();
  }

  // --------------------------------------------------------------------------------- outputs

  /** The next encoded bytes for the transport (caller owns them), or null when none are due. */
  public ByteBuf pollOutbound() {
    return outbound.poll();
  }

  public Optional<YamuxEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} is next due (keepalive or end of the GoAway grace), if ever. */
  public OptionalLong pollTimeout() {
    long next = Math.min(nextKeepaliveNanos, closeDeadlineNanos);
    return terminated || next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
  }

  // ------------------------------------------------------------------------------- accessors

  /** Whether a write now would go out at once rather than queue. False for unknown streams. */
  public boolean isWritable(long streamId) {
    YamuxStreamState s = streams.get(streamId);
    return s != null && s.writable();
  }

  /** Streams open in either direction. */
  public int openStreams() {
    return streams.size();
  }

  /** Bytes of an incomplete inbound frame held for reassembly. */
  public int bufferedInboundBytes() {
    return cumulation == null ? 0 : cumulation.readableBytes();
  }

  /** Whether the session has ended (error, completed close, or transport gone). */
  public boolean terminated() {
    return terminated;
  }

  // --------------------------------------------------------------------------- frame handling

  private void onFrame(YamuxFrame frame, long nowNanos) {
    switch (frame.type()) {
      case DATA, WINDOW_UPDATE -> onStreamFrame(frame);
      case PING -> onPing(frame, nowNanos);
      case GO_AWAY -> onGoAway(frame.length());
    }
  }

  private void onStreamFrame(YamuxFrame f) {
    long id = f.streamId();
    ByteBuf payload = f.payload();
    YamuxStreamState s = streams.get(id);
    if (f.hasFlag(SYN)) {
      String error =
          id == 0
              ? "SYN on stream 0"
              : isOurs(id)
                  ? "SYN for stream " + id + " with our parity"
                  : s != null ? "SYN for existing stream " + id : null;
      if (error != null) {
        payload.release();
        fail(YamuxErrorCode.PROTOCOL_ERROR, error);
        return;
      }
      s = acceptInbound(id);
    }
    if (s == null) {
      payload.release(); // unknown or finished stream: ignoring it keeps the session alive
      return;
    }
    if (f.hasFlag(ACK) && s.outbound && !s.acked) {
      s.acked = true;
      unackedOutbound--;
    }
    if (f.type() == YamuxType.DATA) {
      if (!onData(s, payload)) {
        return;
      }
    } else if (!f.hasFlag(RST)) {
      // A RST WindowUpdate's length may be an error code (libp2p/specs#622), not a delta.
      s.sendWindow = Math.min(s.sendWindow + f.length(), YamuxFrame.MAX_U32);
      flush(s);
    }
    if (f.hasFlag(FIN) && !s.removed && !s.remoteFin) {
      s.remoteFin = true;
      events.add(new YamuxEvent.StreamRemoteClosed(id));
      releaseIfDone(s);
    }
    if (f.hasFlag(RST) && !s.removed) {
      remove(s);
      events.add(new YamuxEvent.StreamReset(id));
    }
  }

  /** Returns null (after RST) when the stream cannot be accepted. */
  private YamuxStreamState acceptInbound(long id) {
    if (localGoAway || inboundCount >= config.maxInboundStreams()) {
      queueControl(YamuxType.WINDOW_UPDATE, RST, id, 0);
      return null;
    }
    YamuxStreamState s = new YamuxStreamState(id, false, config.receiveWindowBytes());
    s.acked = true;
    streams.put(id, s);
    inboundCount++;
    events.add(new YamuxEvent.InboundStreamOpened(id));
    queueControl(YamuxType.WINDOW_UPDATE, ACK, id, extraWindow());
    return s;
  }

  /** Takes ownership of {@code payload}; returns false if the frame's flags no longer matter. */
  private boolean onData(YamuxStreamState s, ByteBuf payload) {
    int n = payload.readableBytes();
    if (n > s.recvWindow) {
      payload.release();
      fail(
          YamuxErrorCode.PROTOCOL_ERROR,
          "stream " + s.id + ": " + n + " bytes exceed the receive window of " + s.recvWindow);
      return false;
    }
    s.recvWindow -= n;
    if (s.remoteFin && n > 0) {
      payload.release(); // data after FIN: the peer is confused about this stream, not the session
      queueControl(YamuxType.WINDOW_UPDATE, RST, s.id, 0);
      remove(s);
      events.add(new YamuxEvent.StreamReset(s.id));
      return false;
    }
    if (n == 0) {
      payload.release();
    } else {
      s.unconsumed += n;
      events.add(new YamuxEvent.StreamData(s.id, payload));
    }
    return true;
  }

  private void onPing(YamuxFrame f, long nowNanos) {
    if (f.hasFlag(SYN)) {
      // Exactly ACK, stream 0, same value: anything else is fatal to js (libp2p-notes §8.1).
      queueControl(YamuxType.PING, ACK, 0, f.length());
    } else if (f.hasFlag(ACK)) {
      Long sentAt = pingsInFlight.remove(f.length());
      if (sentAt != null) {
        events.add(new YamuxEvent.PingRtt(f.length(), nowNanos - sentAt));
      }
    }
  }

  private void onGoAway(long code) {
    remoteGoAway = true;
    events.add(new YamuxEvent.GoAwayReceived(code));
    if (code != YamuxErrorCode.NORMAL.code()) {
      // The peer is aborting (js does so on any error code): nothing on this session will finish.
      resetAll();
      terminate(new YamuxEvent.SessionClosed());
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  /** Sends what the window allows, then a pending FIN; reports writability regained. */
  private void flush(YamuxStreamState s) {
    while (s.queuedBytes > 0 && s.sendWindow > 0) {
      int n = (int) Math.min(Math.min(s.sendWindow, config.maxSendChunkBytes()), s.queuedBytes);
      ByteBuf frame = alloc.buffer(YamuxFrameCodec.HEADER_BYTES + n);
      YamuxFrameCodec.writeHeader(frame, YamuxType.DATA, 0, s.id, n);
      s.drainInto(frame, n);
      s.sendWindow -= n;
      outbound.add(frame);
    }
    if (s.queuedBytes == 0 && s.localFinQueued && !s.localFinSent) {
      s.localFinSent = true;
      queueControl(YamuxType.WINDOW_UPDATE, FIN, s.id, 0);
      releaseIfDone(s);
    }
    if (s.blocked && s.writable()) {
      s.blocked = false;
      events.add(new YamuxEvent.StreamWritable(s.id));
    }
  }

  private void releaseIfDone(YamuxStreamState s) {
    if (s.remoteFin && s.localFinSent && !s.removed) {
      remove(s);
      events.add(new YamuxEvent.StreamClosed(s.id));
    }
  }

  private void remove(YamuxStreamState s) {
    s.removed = true;
    streams.remove(s.id);
    s.releaseQueue();
    if (s.outbound) {
      outboundCount--;
      if (!s.acked) {
        unackedOutbound--;
      }
    } else {
      inboundCount--;
    }
  }

  private void resetAll() {
    for (YamuxStreamState s : new ArrayList<>(streams.values())) {
      remove(s);
      events.add(new YamuxEvent.StreamReset(s.id));
    }
  }

  private void fail(YamuxErrorCode code, String reason) {
    if (terminated) {
      return;
    }
    queueControl(YamuxType.GO_AWAY, 0, 0, code.code());
    resetAll();
    terminate(new YamuxEvent.SessionError(code, reason));
  }

  private void terminate(YamuxEvent last) {
    terminated = true;
    events.add(last);
  }

  /** After a GoAway either way, the session is done once its last stream is. */
  private void maybeFinishClose() {
    if (!terminated && (localGoAway || remoteGoAway) && streams.isEmpty()) {
      terminate(new YamuxEvent.SessionClosed());
    }
  }

  private long sendPing(long nowNanos) {
    long value = nextPingValue;
    nextPingValue = nextPingValue == YamuxFrame.MAX_U32 ? 1 : nextPingValue + 1;
    pingsInFlight.put(value, nowNanos);
    if (pingsInFlight.size() > MAX_PINGS_IN_FLIGHT) {
      Iterator<Long> oldest = pingsInFlight.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    queueControl(YamuxType.PING, SYN, 0, value);
    return value;
  }

  private void queueControl(YamuxType type, int flags, long streamId, long length) {
    ByteBuf frame = alloc.buffer(YamuxFrameCodec.HEADER_BYTES);
    YamuxFrameCodec.writeHeader(frame, type, flags, streamId, length);
    outbound.add(frame);
  }

  private long extraWindow() {
    return (long) config.receiveWindowBytes() - YamuxConfig.INITIAL_WINDOW_BYTES;
  }

  private boolean isOurs(long id) {
    return (id % 2 == 1) == client;
  }

  /**
   * Adds {@code bytes} after the unread remainder. The remainder is less than one frame, so a copy
   * is small, except for a large Data frame arriving in pieces: the copy then reserves the whole
   * frame so the following pieces append without copying again. Appending never moves bytes that
   * earlier payload slices point at.
   */
  private void append(ByteBuf bytes) {
    if (cumulation == null) {
      cumulation = bytes;
      cumulationOwned = false;
      return;
    }
    int needed = cumulation.readableBytes() + bytes.readableBytes();
    if (cumulationOwned && cumulation.writableBytes() >= bytes.readableBytes()) {
      cumulation.writeBytes(bytes);
      bytes.release();
      return;
    }
    long frame = YamuxFrameCodec.frameBytes(cumulation);
    long cap = YamuxFrameCodec.HEADER_BYTES + (long) config.receiveWindowBytes();
    int capacity = (int) Math.max(needed, Math.min(frame, cap));
    ByteBuf merged = alloc.buffer(capacity);
    merged.writeBytes(cumulation).writeBytes(bytes);
    cumulation.release();
    bytes.release();
    cumulation = merged;
    cumulationOwned = true;
  }

  private void releaseCumulation() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
