package org.grapevine.libp2p.autonat;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialRequest;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialResponse;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The AutoNAT v2 server (libp2p/specs autonat/autonat-v2.md), one per host, sans-I/O: no sockets,
 * clocks or threads; not thread-safe (confine it to one event loop).
 *
 * <p>Call order: {@code handle*} with non-decreasing {@code nowNanos}, then drain {@link
 * #pollAction} until empty, then re-arm the timer from {@link #pollTimeout}. Request ids are the
 * driver's (one per dial-request stream).
 *
 * <p>Rules, in the order they are applied to a {@code DialRequest}:
 *
 * <ol>
 *   <li>Admission ({@link ServerLimits}, shared with v1): one request per peer at a time, a global
 *       cap, per-peer and global rates; otherwise {@code E_REQUEST_REJECTED}.
 *   <li>Selection: the first address {@link DialPolicy} accepts; none: {@code E_DIAL_REFUSED}. No
 *       other address of the list is ever dialled.
 *   <li>Amplification defence: if the selected IP differs from the IP the requester connected from
 *       (or that IP is unknown, as on a relayed connection), ask for a uniformly drawn 30k-100k
 *       bytes of dial data first, and dial only once at least that many arrived (the last chunk may
 *       overshoot). Data nobody asked for is a protocol violation.
 *   <li>Dial back on a fresh connection with the nonce; the driver reports {@link DialStatus}
 *       {@code OK}, {@code E_DIAL_ERROR} (could not connect) or {@code E_DIAL_BACK_ERROR}
 *       (connected, the nonce did not get across), and the response is {@code OK} with that status.
 *   <li>A request not answered within {@code requestTimeoutNanos} is aborted (stream reset).
 * </ol>
 *
 * <p>Discrepancies: the spec does not say what a server should do over a relayed connection; we
 * treat the requester's IP as unknown there, so every dial costs dial data. Whether the server has
 * IPv4 or IPv6 connectivity is configured ({@link AutonatServerConfig#dialIpv4}), not detected.
 * Over-limit requests get {@code E_REQUEST_REJECTED} at once, before any address is looked at.
 */
public final class AutonatServer {
  /** Counters of what happened to requests. */
  public enum Counter {
    REQUESTS,
    REJECTED,
    REFUSED,
    DIAL_DATA_ASKED,
    DIALED_OK,
    DIAL_ERROR,
    DIAL_BACK_ERROR,
    ABORTED
  }

  private static final class Pending {
    final PeerId peer;
    final int addrIdx;
    final Multiaddr addr;
    final long nonce;
    final long deadlineNanos;
    long bytesOwed;
    boolean dialing;

    Pending(PeerId peer, int addrIdx, Multiaddr addr, long nonce, long deadlineNanos) {
      this.peer = peer;
      this.addrIdx = addrIdx;
      this.addr = addr;
      this.nonce = nonce;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final AutonatServerConfig config;
  private final ServerLimits limits;
  private final RandomGenerator random;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final ArrayDeque<ServerAction> actions = new ArrayDeque<>();
  private final Map<Counter, Long> counters = new EnumMap<>(Counter.class);

  public AutonatServer(AutonatServerConfig config, ServerLimits limits, RandomGenerator random) {
    this.config = config;
    this.limits = limits;
    this.random = random;
  }

  /**
   * A {@code DialRequest} arrived on stream {@code id} from {@code peer}, connected from {@code
   * observed} (the connection's remote address).
   */
  public void handleDialRequest(
      long id, PeerId peer, Multiaddr observed, DialRequest request, long nowNanos) {
    if (pending.containsKey(id)) {
      throw new IllegalStateException("request " + id + " is already being served");
    }
    count(Counter.REQUESTS);
    if (!limits.tryAdmit(peer, nowNanos)) {
      count(Counter.REJECTED);
      actions.add(respond(id, ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED));
      return;
    }
    List<byte[]> addrs = request.addrs();
    for (int i = 0; i < addrs.size(); i++) {
      Optional<Multiaddr> ok = DialPolicy.accept(addrs.get(i), peer, config);
      if (ok.isPresent()) {
        Pending p =
            new Pending(
                peer, i, ok.get(), request.nonce(), nowNanos + config.requestTimeoutNanos());
        pending.put(id, p);
        if (DialPolicy.sameIp(ok.get(), observed)) {
          dial(id, p);
        } else {
          p.bytesOwed =
              (long) config.minDialDataBytes()
                  + random.nextInt(config.maxDialDataBytes() - config.minDialDataBytes() + 1);
          if (p.bytesOwed <= 0) {
            dial(id, p);
          } else {
            count(Counter.DIAL_DATA_ASKED);
            actions.add(new ServerAction.AskDialData(id, i, p.bytesOwed));
          }
        }
        return;
      }
    }
    limits.release(peer);
    count(Counter.REFUSED);
    actions.add(respond(id, ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED));
  }

  /** A {@code DialDataResponse} of {@code dataBytes} arrived on stream {@code id}. */
  public void handleDialData(long id, int dataBytes, long nowNanos) {
    Pending p = pending.get(id);
    if (p == null || p.dialing) {
      abort(id, p, FrameError.PROTOCOL_VIOLATION, "dial data that was not asked for");
      return;
    }
    p.bytesOwed -= dataBytes;
    if (p.bytesOwed <= 0) {
      dial(id, p);
    }
  }

  /**
   * Any other message from the client on stream {@code id} (a first message that is not a request,
   * a second request, a response): a protocol violation.
   */
  public void handleUnexpected(long id, long nowNanos) {
    abort(id, pending.get(id), FrameError.PROTOCOL_VIOLATION, "unexpected message");
  }

  /** The dial back of request {@code id} ended with {@code status}. */
  public void handleDialBackResult(long id, DialStatus status, long nowNanos) {
    Pending p = pending.remove(id);
    if (p == null) {
      return; // the stream went away or timed out meanwhile
    }
    limits.release(p.peer);
    count(
        status == DialStatus.OK
            ? Counter.DIALED_OK
            : status == DialStatus.E_DIAL_ERROR ? Counter.DIAL_ERROR : Counter.DIAL_BACK_ERROR);
    actions.add(respond(id, ResponseStatus.OK, p.addrIdx, status));
  }

  /** The request's stream closed or was reset before its response: forget it. */
  public void handleStreamClosed(long id, long nowNanos) {
    Pending p = pending.remove(id);
    if (p != null) {
      limits.release(p.peer);
    }
  }

  /** Aborts the requests past their deadline. */
  public void handleTimeout(long nowNanos) {
    for (Map.Entry<Long, Pending> e : List.copyOf(pending.entrySet())) {
      if (e.getValue().deadlineNanos - nowNanos <= 0) {
        abort(e.getKey(), e.getValue(), FrameError.TRUNCATED, "request not completed in time");
      }
    }
  }

  public Optional<ServerAction> pollAction() {
    return Optional.ofNullable(actions.poll());
  }

  /** The earliest request deadline. */
  public OptionalLong pollTimeout() {
    return pending.values().stream().mapToLong(p -> p.deadlineNanos).min();
  }

  public long counter(Counter c) {
    return counters.getOrDefault(c, 0L);
  }

  /** Requests admitted and not yet answered. */
  public int pendingRequests() {
    return pending.size();
  }

  private void dial(long id, Pending p) {
    p.dialing = true;
    actions.add(new ServerAction.DialBack(id, p.addr, p.nonce));
  }

  /** Ends request {@code id} with a stream reset; {@code p} is null if it was not admitted. */
  private void abort(long id, Pending p, FrameError code, String reason) {
    if (p != null) {
      pending.remove(id);
      limits.release(p.peer);
    }
    count(Counter.ABORTED);
    actions.add(new ServerAction.Abort(id, code, reason));
  }

  private static ServerAction respond(
      long id, ResponseStatus status, int addrIdx, DialStatus dialStatus) {
    return new ServerAction.Respond(id, new DialResponse(status, addrIdx, dialStatus));
  }

  private void count(Counter c) {
    counters.merge(c, 1L, Long::sum);
  }
}
