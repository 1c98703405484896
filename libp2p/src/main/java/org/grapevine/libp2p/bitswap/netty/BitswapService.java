package org.grapevine.libp2p.bitswap.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.grapevine.libp2p.bitswap.Bitswap;
import org.grapevine.libp2p.bitswap.BitswapCodec;
import org.grapevine.libp2p.bitswap.BitswapCounters;
import org.grapevine.libp2p.bitswap.BitswapEvent;
import org.grapevine.libp2p.bitswap.BitswapException;
import org.grapevine.libp2p.bitswap.BitswapLimits;
import org.grapevine.libp2p.bitswap.BitswapMessage;
import org.grapevine.libp2p.bitswap.BlockSource;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.Outgoing;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.host.ProtocolHandler;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bitswap 1.2.0 on a {@link Host}: the {@link Bitswap} core driven by streams (ipfs/specs
 * bitswap-protocol.md). Serves {@code /ipfs/bitswap/1.2.0} and {@code /ipfs/bitswap/1.1.0} from a
 * {@link BlockSource}, and fetches blocks from connected peers ({@link #fetch}).
 *
 * <p>Wire: every message is {@code uvarint(len) || Message}, at most {@link
 * BitswapLimits#maxMessageBytes} (4 MiB). As the spec's interaction pattern says, each side sends
 * on a stream it opens itself: our wants and our answers go on our one outbound stream to the peer
 * ({@link BitswapSender}), the peer's come on streams it opens (Helia opens one per message, go
 * keeps one). Messages a peer writes on our outbound stream are read too (counted {@link
 * BitswapStreamCounter#MESSAGES_ON_OUR_STREAM}). We never write on a peer's stream: its write side
 * is closed once the peer closes its own.
 *
 * <p>Versions: 1.1.0 peers are served as they are (their messages decode as 1.2.0 ones without
 * want-have, presences or {@code sendDontHave}). Our outbound stream offers 1.2.0, then 1.1.0; on a
 * 1.1.0 stream our want-haves read as want-blocks and our presences are skipped by the peer, which
 * costs a duplicate block at worst. 1.0.0 is not spoken (its blocks carry no CID prefix).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>A frame over the limit (refused from its length prefix) or a body that does not decode:
 *       reported through the core ({@link BitswapEvent.PeerMisbehaved} to {@code misbehaviour}),
 *       counted, and that stream reset; the peer's other streams and other peers carry on.
 *   <li>At most {@link #MAX_INBOUND_STREAMS_PER_CONNECTION} inbound streams per connection; one
 *       more is reset at once (counted). A frame must arrive whole within {@link
 *       #FRAME_TIMEOUT_NANOS} of its first byte, else its stream is reset (counted). A stream's
 *       reading pauses while one of its messages waits for the core, so a peer cannot queue work
 *       faster than the core does it.
 *   <li>{@link #fetch} asks only candidates we have a connection to (not a limited relayed one:
 *       blocks are up to 1 MiB); the others are skipped, the node dials separately. A candidate
 *       whose stream cannot be opened counts as disconnected for the core.
 *   <li>A peer whose last usable connection closed is forgotten by the core ({@link
 *       Bitswap#peerDisconnected}): wants it held move on to the next peer.
 * </ol>
 *
 * <p>Threading: thread-safe. The core and all its calls live on one event loop of the host ({@link
 * Host#eventLoops}), taken at {@link #start}; streams live on their connections' loops and hop
 * there. The {@link BlockSource} is called on that loop (while a message is handled and a reply
 * built): it must answer quickly (an in-memory index for {@code has}, a local read for {@code
 * get}), since every stream's Bitswap traffic waits meanwhile. {@code misbehaviour} runs there too.
 * Fetch futures complete on the loop: callers that do real work with the block should move off it
 * ({@code thenApplyAsync(..., executor)}).
 */
// Terminal whenComplete callbacks handle both outcomes themselves.
@SuppressWarnings("FutureReturnValueIgnored")
public final class BitswapService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BitswapService.class);

  public static final String PROTOCOL = "/ipfs/bitswap/1.2.0";
  public static final String PROTOCOL_1_1_0 = "/ipfs/bitswap/1.1.0";

  /** What our outbound stream offers, in order of preference. */
  static final List<String> OUTBOUND_PROTOCOLS = List.of(PROTOCOL, PROTOCOL_1_1_0);

  /**
   * Concurrent inbound Bitswap streams per connection. Helia opens a stream per message and closes
   * it after (one or two at a time), go keeps one: 16 leaves room and bounds the partial frames a
   * peer can make us hold (each at most the message limit).
   */
  public static final int MAX_INBOUND_STREAMS_PER_CONNECTION = 16;

  /**
   * Our outbound stream is half-closed after this long without a message: Helia resets an inbound
   * stream it has read nothing on for 10 s, which could cut a message we write at that moment.
   */
  static final long OUTBOUND_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * A frame must arrive whole within this long of its first byte, else its stream is reset: 4 MiB
   * in 60 s is 70 KB/s, slower than any link we serve over, and it bounds how long a peer can make
   * us hold partial frames (up to {@link #MAX_INBOUND_STREAMS_PER_CONNECTION} of 4 MiB each).
   */
  public static final long FRAME_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Host host;
  private final BitswapLimits limits;
  private final BitswapCodec codec;
  private final Consumer<BitswapEvent.PeerMisbehaved> misbehaviour;
  private final EventExecutor loop;
  private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
  private final Bitswap core;
  private final long frameTimeoutNanos;
  private final Map<BitswapStreamCounter, AtomicLong> streamCounters =
      new EnumMap<>(BitswapStreamCounter.class);

  // --- Confined to the loop.
  private final Map<PeerId, BitswapSender> senders = new HashMap<>();
  private final Map<Cid, List<CompletableFuture<byte[]>>> fetches = new HashMap<>();
  private ScheduledFuture<?> timer;
  private long timerAt;
  private boolean driving;

  // --- Any thread.
  private final Map<Connection, Integer> inboundPerConnection = new ConcurrentHashMap<>();
  private final Set<BitswapFrameReader> inboundReaders = ConcurrentHashMap.newKeySet();
  private final ProtocolHandler handler = this::onInboundStream;
  private final HostListener listener =
      new HostListener() {
        @Override
        public void onDisconnected(Connection connection) {
          PeerId peer = connection.remotePeer();
          onLoop(() -> maybeGone(peer), () -> {});
        }
      };
  private volatile BitswapCounters snapshot;
  private volatile boolean closed;

  private BitswapService(
      Host host,
      BlockSource source,
      BitswapLimits limits,
      Consumer<BitswapEvent.PeerMisbehaved> misbehaviour,
      long frameTimeoutNanos) {
    this.host = Objects.requireNonNull(host, "host");
    this.frameTimeoutNanos = frameTimeoutNanos;
    this.limits = Objects.requireNonNull(limits, "limits");
    this.misbehaviour = Objects.requireNonNull(misbehaviour, "misbehaviour");
    this.codec = new BitswapCodec(limits);
    this.loop = host.eventLoops().next();
    this.core = new Bitswap(Objects.requireNonNull(source, "source"), limits, now());
    this.snapshot = core.counters().copy();
    for (BitswapStreamCounter c : BitswapStreamCounter.values()) {
      streamCounters.put(c, new AtomicLong());
    }
  }

  /**
   * Serves Bitswap on {@code host} from {@code source} and returns the service that fetches.
   *
   * @param misbehaviour told (on the service's loop) each time a peer breaks a rule: oversize or
   *     malformed messages, unsolicited or wrong blocks, too many wants. Decide the penalty there.
   */
  public static BitswapService start(
      Host host,
      BlockSource source,
      BitswapLimits limits,
      Consumer<BitswapEvent.PeerMisbehaved> misbehaviour) {
    return start(host, source, limits, misbehaviour, FRAME_TIMEOUT_NANOS);
  }

  /** {@link #start} with another frame timeout (tests). */
  static BitswapService start(
      Host host,
      BlockSource source,
      BitswapLimits limits,
      Consumer<BitswapEvent.PeerMisbehaved> misbehaviour,
      long frameTimeoutNanos) {
    BitswapService s = new BitswapService(host, source, limits, misbehaviour, frameTimeoutNanos);
    host.addListener(s.listener);
    host.setProtocolHandler(PROTOCOL, s.handler);
    host.setProtocolHandler(PROTOCOL_1_1_0, s.handler);
    return s;
  }

  /**
   * Fetches {@code cid} from those of {@code candidates} we are connected to. Completes with the
   * block's bytes (hashed and checked against {@code cid}), or exceptionally with a {@link
   * BitswapFetchException}: {@code DONT_HAVE}, {@code TIMED_OUT} ({@link
   * BitswapLimits#answerTimeoutNanos} per peer asked), {@code NO_PEERS} (no candidate connected),
   * {@code WANTLIST_FULL} ({@link BitswapLimits#maxWants} fetches open), {@code CANCELLED} (the
   * service closed). Fetches of one CID share one want; a later one adds its new candidates to it.
   * Cancelling the future drops this fetch; the want is cancelled at the peers when no fetch of the
   * CID is left.
   */
  public CompletableFuture<byte[]> fetch(Cid cid, Collection<PeerId> candidates) {
    Objects.requireNonNull(cid, "cid");
    List<PeerId> peers = List.copyOf(candidates);
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    onLoop(() -> startFetch(cid, peers, result), () -> result.completeExceptionally(closed(cid)));
    result.whenComplete(
        (v, e) -> {
          if (result.isCancelled()) {
            onLoop(() -> dropFetch(cid, result), () -> {});
          }
        });
    return result;
  }

  /**
   * We hold {@code cid} now: peers that asked for it before get the block (want-block) or a HAVE
   * (want-have) with their next reply ({@link Bitswap#blockAdded}). Call after the source has it.
   */
  public void blockAdded(Cid cid) {
    Objects.requireNonNull(cid, "cid");
    onLoop(
        () -> {
          if (!closed) {
            core.blockAdded(cid, now());
            drive();
          }
        },
        () -> {});
  }

  /**
   * The core's counters as of the last time it ran (a snapshot; any thread), including at least
   * everything behind the fetch results and misbehaviour reports delivered so far. Stream-level
   * counts are in {@link #count}.
   */
  public BitswapCounters counters() {
    return snapshot;
  }

  /** How many times {@code what} happened on the streams (any thread). */
  public long count(BitswapStreamCounter what) {
    return streamCounters.get(what).get();
  }

  public BitswapLimits limits() {
    return limits;
  }

  /**
   * Stops serving (the handlers go, peers learn it through identify push), fails pending fetches
   * with {@code CANCELLED}, and resets our streams and the peers' open ones. Waits up to 5 s for
   * the loop to do it.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    host.removeProtocolHandler(PROTOCOL);
    host.removeProtocolHandler(PROTOCOL_1_1_0);
    host.removeListener(listener);
    Runnable shutdown =
        () -> {
          List<Map.Entry<Cid, List<CompletableFuture<byte[]>>>> open =
              new ArrayList<>(fetches.entrySet());
          fetches.clear();
          for (Map.Entry<Cid, List<CompletableFuture<byte[]>>> e : open) {
            e.getValue().forEach(f -> f.completeExceptionally(closed(e.getKey())));
          }
          senders.values().forEach(BitswapSender::close);
          senders.clear();
          if (timer != null) {
            timer.cancel(false);
            timer = null;
          }
          inboundReaders.forEach(BitswapFrameReader::abortLater);
          snapshot = core.counters().copy();
        };
    if (loop.inEventLoop()) {
      shutdown.run();
      return;
    }
    try {
      if (!loop.submit(shutdown).awaitUninterruptibly(5, TimeUnit.SECONDS)) {
        log.warn("Bitswap: the loop did not close the service within 5 s");
      }
    } catch (RejectedExecutionException e) {
      // The host's loops are gone: so are the streams; nothing left to fail but the fetches,
      // which nobody can complete any more either way.
      log.debug("Bitswap closed after its loop: {}", e.getMessage());
    }
  }

  // ------------------------------------------------------------------ on the loop

  private void startFetch(Cid cid, List<PeerId> candidates, CompletableFuture<byte[]> result) {
    if (result.isDone()) {
      return; // cancelled before it started
    }
    if (closed) {
      result.completeExceptionally(closed(cid));
      return;
    }
    Set<PeerId> connected = new LinkedHashSet<>();
    for (PeerId p : candidates) {
      if (!p.equals(host.peerId()) && connectionTo(p) != null) {
        connected.add(p);
      }
    }
    fetches.computeIfAbsent(cid, c -> new ArrayList<>(1)).add(result);
    core.want(cid, connected, now());
    drive();
  }

  private void dropFetch(Cid cid, CompletableFuture<byte[]> result) {
    List<CompletableFuture<byte[]>> waiting = fetches.get(cid);
    if (waiting == null || !waiting.removeIf(f -> f == result) || !waiting.isEmpty()) {
      return;
    }
    fetches.remove(cid);
    if (!closed) {
      core.cancel(cid, now());
      drive();
    }
  }

  /** A connection of {@code peer} closed: if it was the last usable one, the core forgets it. */
  private void maybeGone(PeerId peer) {
    if (closed || connectionTo(peer) != null) {
      return;
    }
    BitswapSender s = senders.remove(peer);
    if (s != null) {
      s.close();
    }
    core.peerDisconnected(peer, now());
    drive();
  }

  /**
   * Runs the core's outputs until it has nothing more: messages to the senders, events to the
   * fetches and the owner, then the timer. Re-entrant calls (a sender failing inside a send, a
   * future's callback fetching again) return at once: the outer loop picks up what they did.
   */
  private void drive() {
    if (driving) {
      return;
    }
    driving = true;
    try {
      boolean moved = true;
      while (moved) {
        moved = false;
        for (Optional<Outgoing> o = core.pollOutgoing(); o.isPresent(); o = core.pollOutgoing()) {
          moved = true;
          send(o.get());
        }
        for (Optional<BitswapEvent> e = core.pollEvent(); e.isPresent(); e = core.pollEvent()) {
          moved = true;
          // Whoever hears of the event (a future, the misbehaviour listener) sees counters that
          // include it.
          snapshot = core.counters().copy();
          dispatch(e.get());
        }
      }
      schedule();
      snapshot = core.counters().copy();
    } finally {
      driving = false;
    }
  }

  private void send(Outgoing o) {
    byte[] body = codec.encode(o.message());
    byte[] prefix = Varint.encode(body.length);
    byte[] frame = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, frame, 0, prefix.length);
    System.arraycopy(body, 0, frame, prefix.length, body.length);
    senders
        .computeIfAbsent(o.peer(), p -> new BitswapSender(this, p))
        .send(frame, o.chargedBytes());
  }

  private void dispatch(BitswapEvent e) {
    if (e instanceof BitswapEvent.BlockReceived r) {
      List<CompletableFuture<byte[]>> waiting = fetches.remove(r.cid());
      if (waiting != null) {
        waiting.forEach(f -> f.complete(r.data()));
      }
    } else if (e instanceof BitswapEvent.WantFailed w) {
      List<CompletableFuture<byte[]>> waiting = fetches.remove(w.cid());
      if (waiting != null) {
        BitswapFetchException failure =
            new BitswapFetchException(w.cid(), w.reason(), describe(w.cid(), w.reason()));
        waiting.forEach(f -> f.completeExceptionally(failure));
      }
    } else if (e instanceof BitswapEvent.PeerMisbehaved m) {
      log.debug("Bitswap: {} broke a rule: {}", m.peer(), m.code());
      try {
        misbehaviour.accept(m);
      } catch (RuntimeException ex) {
        log.error("Bitswap: the misbehaviour listener failed on {}", m, ex);
      }
    }
  }

  /** Keeps one timer armed for the core's next deadline. */
  private void schedule() {
    OptionalLong next = core.pollTimeout();
    if (next.isEmpty() || closed) {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      return;
    }
    if (timer != null && timerAt == next.getAsLong()) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerAt = next.getAsLong();
    timer =
        loop.schedule(
            () -> {
              timer = null;
              if (!closed) {
                core.handleTimeout(now());
                drive();
              }
            },
            Math.max(0, timerAt - now()),
            TimeUnit.NANOSECONDS);
  }

  private static String describe(Cid cid, BitswapEvent.Reason reason) {
    return switch (reason) {
      case DONT_HAVE -> "every peer asked for " + cid + " said it does not have it";
      case TIMED_OUT -> "no peer asked for " + cid + " answered in time";
      case NO_PEERS -> "no connected candidate to ask for " + cid;
      case WANTLIST_FULL -> "too many fetches open; " + cid + " not asked for (our load)";
      case CANCELLED -> "fetch of " + cid + " cancelled";
    };
  }

  private static BitswapFetchException closed(Cid cid) {
    return new BitswapFetchException(
        cid, BitswapEvent.Reason.CANCELLED, "the Bitswap service closed before " + cid + " came");
  }

  // ------------------------------------------------------------------ inbound streams

  /** On the connection's loop. */
  private void onInboundStream(MuxedStream stream, Connection connection) {
    if (closed) {
      stream.reset();
      return;
    }
    int open = inboundPerConnection.merge(connection, 1, Integer::sum);
    Runnable ended =
        () -> inboundPerConnection.computeIfPresent(connection, (c, n) -> n <= 1 ? null : n - 1);
    if (open > MAX_INBOUND_STREAMS_PER_CONNECTION) {
      ended.run();
      counted(BitswapStreamCounter.INBOUND_STREAM_LIMIT);
      log.debug(
          "Bitswap: {} opened {} streams on {}: reset", connection.remotePeer(), open, connection);
      stream.reset();
      return;
    }
    BitswapFrameReader[] self = new BitswapFrameReader[1];
    BitswapFrameReader reader =
        new BitswapFrameReader(
            this,
            stream,
            connection.remotePeer(),
            false,
            () -> {
              inboundReaders.remove(self[0]);
              ended.run();
            });
    self[0] = reader;
    inboundReaders.add(reader);
    stream.setReader(reader);
    counted(BitswapStreamCounter.INBOUND_STREAMS);
  }

  // ------------------------------------------------------------------ for the readers and senders

  Host host() {
    return host;
  }

  EventExecutor loop() {
    return loop;
  }

  ByteBufAllocator alloc() {
    return alloc;
  }

  BitswapCodec codec() {
    return codec;
  }

  /**
   * Bytes one peer's sender may hold written and not yet handed on: the core's block bytes in
   * flight, plus room for messages of wants and presences beside them.
   */
  long frameTimeoutNanos() {
    return frameTimeoutNanos;
  }

  long maxBacklogBytes() {
    return limits.maxBytesInFlightPerPeer() + 2L * limits.maxMessageBytes();
  }

  void counted(BitswapStreamCounter what) {
    streamCounters.get(what).incrementAndGet();
  }

  void counted(BitswapStreamCounter what, long n) {
    streamCounters.get(what).addAndGet(n);
  }

  /** Runs {@code task} on the loop; {@code ifRejected} when the loop is gone. Any thread. */
  void onLoop(Runnable task, Runnable ifRejected) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      ifRejected.run();
    }
  }

  /** A decoded message; {@code handled} runs once the core has it (any thread). */
  void received(PeerId peer, BitswapMessage message, Runnable handled) {
    onLoop(
        () -> {
          try {
            if (!closed) {
              core.handleMessage(peer, message, now());
              drive();
            }
          } finally {
            handled.run();
          }
        },
        handled);
  }

  /** Bytes from {@code peer} that did not decode (any thread). */
  void malformed(PeerId peer, BitswapException error) {
    onLoop(
        () -> {
          if (!closed) {
            core.handleMalformed(peer, error, now());
            drive();
          }
        },
        () -> {});
  }

  /** The sender wrote (or dropped) messages carrying {@code charged} block bytes. On the loop. */
  void released(PeerId peer, long charged) {
    if (charged > 0 && !closed) {
      core.handleSent(peer, charged, now());
      drive();
    }
  }

  /** The sender could not open a stream to {@code peer}. On the loop. */
  void unreachable(PeerId peer, String why) {
    log.debug("Bitswap: no stream to {}: {}", peer, why);
    if (!closed) {
      core.peerDisconnected(peer, now());
      drive();
    }
  }

  /** A connection to {@code peer} we may fetch over: open and not a limited relayed one. */
  Connection connectionTo(PeerId peer) {
    for (Connection c : host.connections(peer)) {
      if (!c.isLimited()) {
        return c;
      }
    }
    return null;
  }

  private long now() {
    return host.config().nanoClock().getAsLong();
  }
}
