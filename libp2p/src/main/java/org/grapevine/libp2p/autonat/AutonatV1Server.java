package org.grapevine.libp2p.autonat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Response;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Status;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The AutoNAT v1 server (libp2p/specs autonat/autonat-v1.md, {@code /libp2p/autonat/1.0.0}) for
 * older peers, sans-I/O and not thread-safe; same call order as {@link AutonatServer}, with which
 * it shares {@link ServerLimits}.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>A DIAL naming another peer than the requester is {@code E_BAD_REQUEST}.
 *   <li>A request over a relayed connection (its remote address has no IP) is refused: "MUST NOT
 *       accept dial requests via relayed connections".
 *   <li>Admission as for v2; v1 has no "rejected" status, so an over-limit request gets {@code
 *       E_DIAL_REFUSED} with a text saying so (as go does).
 *   <li>Only addresses whose IP is the one the requester is observed at ("MUST NOT dial any
 *       multiaddress unless it is based on the IP address the requesting node is observed as"), and
 *       that {@link DialPolicy} accepts, at most {@link #MAX_DIALS} of them, deduplicated; none:
 *       {@code E_DIAL_REFUSED}.
 *   <li>The driver dials them one after another; the first that connects makes the answer {@code
 *       OK} with that address, none {@code E_DIAL_ERROR}.
 * </ol>
 *
 * Discrepancy: the spec lets the server add the observed address to the list; we do not, since over
 * TCP its port is the requester's ephemeral one, which nobody listens on.
 */
public final class AutonatV1Server {
  public static final int MAX_DIALS = 4;

  private record Pending(PeerId peer, long deadlineNanos) {}

  private final AutonatServerConfig config;
  private final ServerLimits limits;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final ArrayDeque<ServerAction> actions = new ArrayDeque<>();

  public AutonatV1Server(AutonatServerConfig config, ServerLimits limits) {
    this.config = config;
    this.limits = limits;
  }

  /** A DIAL arrived on stream {@code id} from {@code peer}, connected from {@code observed}. */
  public void handleDial(
      long id, PeerId peer, Multiaddr observed, AutonatV1Codec.Dial dial, long nowNanos) {
    if (dial.peer().isPresent() && !dial.peer().get().equals(peer)) {
      respond(id, Status.E_BAD_REQUEST, "the DIAL names another peer");
      return;
    }
    if (observed.tcpSocketAddress().isEmpty()) {
      respond(id, Status.E_DIAL_REFUSED, "requests over relayed connections are refused");
      return;
    }
    if (!limits.tryAdmit(peer, nowNanos)) {
      respond(id, Status.E_DIAL_REFUSED, "too many requests");
      return;
    }
    Set<Multiaddr> addrs = new LinkedHashSet<>();
    for (byte[] raw : dial.addrs()) {
      Optional<Multiaddr> ok = DialPolicy.accept(raw, peer, config);
      if (ok.isPresent() && DialPolicy.sameIp(ok.get(), observed) && addrs.size() < MAX_DIALS) {
        addrs.add(ok.get());
      }
    }
    if (addrs.isEmpty()) {
      limits.release(peer);
      respond(id, Status.E_DIAL_REFUSED, "no address this server may dial");
      return;
    }
    pending.put(id, new Pending(peer, nowNanos + config.requestTimeoutNanos()));
    actions.add(new ServerAction.DialV1(id, new ArrayList<>(addrs)));
  }

  /** The dials of request {@code id} ended: {@code connected} is the address that worked. */
  public void handleDialResult(long id, Optional<Multiaddr> connected, long nowNanos) {
    Pending p = pending.remove(id);
    if (p == null) {
      return;
    }
    limits.release(p.peer());
    if (connected.isPresent()) {
      actions.add(
          new ServerAction.RespondV1(
              id, new Response(Status.OK, "", Optional.of(connected.get().encode()))));
    } else {
      respond(id, Status.E_DIAL_ERROR, "all dials failed");
    }
  }

  public void handleStreamClosed(long id, long nowNanos) {
    Pending p = pending.remove(id);
    if (p != null) {
      limits.release(p.peer());
    }
  }

  public void handleTimeout(long nowNanos) {
    for (Map.Entry<Long, Pending> e : List.copyOf(pending.entrySet())) {
      if (e.getValue().deadlineNanos() - nowNanos <= 0) {
        pending.remove(e.getKey());
        limits.release(e.getValue().peer());
        actions.add(
            new ServerAction.Abort(e.getKey(), FrameError.TRUNCATED, "dials not done in time"));
      }
    }
  }

  public Optional<ServerAction> pollAction() {
    return Optional.ofNullable(actions.poll());
  }

  public OptionalLong pollTimeout() {
    return pending.values().stream().mapToLong(Pending::deadlineNanos).min();
  }

  private void respond(long id, Status status, String text) {
    actions.add(new ServerAction.RespondV1(id, new Response(status, text, Optional.empty())));
  }
}
