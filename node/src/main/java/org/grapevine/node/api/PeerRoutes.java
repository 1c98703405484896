package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.Node;
import org.grapevine.protocol.identity.Invite;

/**
 * {@code POST /v1/peers}: dial peers the user names (an invite's addresses), and say how it went.
 *
 * <p>Rules: at most {@value #MAX_ADDRS} addresses, each {@code /ip4|ip6/.../tcp/.../p2p/<id>};
 * addresses are grouped by peer and a peer's addresses are tried in the given order until one
 * connects; the whole request takes at most {@value #BUDGET_SECONDS} s (a dial that has not
 * finished by then is reported as timed out and goes on in the background). Every peer named,
 * reached or not, is handed to discovery, which keeps it and redials it with backoff.
 */
final class PeerRoutes {
  static final int MAX_ADDRS = Invite.MAX_ADDRS;
  static final int BUDGET_SECONDS = 30;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Node node;

  PeerRoutes(Node node) {
    this.node = node;
  }

  void register(Router r) {
    r.add("POST", "/v1/peers", this::dial);
  }

  private ApiResponse dial(ApiRequest q) {
    q.onlyQuery();
    Map<PeerId, List<Multiaddr>> byPeer = parse(q.object("addrs").get("addrs"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BUDGET_SECONDS);
    ObjectNode o = F.objectNode();
    ArrayNode peers = o.putArray("peers");
    int connected = 0;
    for (Map.Entry<PeerId, List<Multiaddr>> e : byPeer.entrySet()) {
      ObjectNode p = peers.addObject().put("peer_id", e.getKey().toString());
      List<String> errors = new ArrayList<>();
      Multiaddr reached = null;
      for (Multiaddr a : e.getValue()) {
        String error = dialOne(a, deadline);
        if (error == null) {
          reached = a;
          break;
        }
        errors.add(a + ": " + error);
      }
      node.discovery().addPeer(e.getKey(), e.getValue());
      p.put("connected", reached != null);
      p.put("address", reached == null ? null : reached.toString());
      p.put("error", reached == null ? String.join("; ", errors) : null);
      connected += reached == null ? 0 : 1;
    }
    o.put("connected", connected);
    return ApiResponse.ok(o);
  }

  /** Null if connected, else why not. */
  private String dialOne(Multiaddr addr, long deadline) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return "not tried: the request's " + BUDGET_SECONDS + " s were used up";
    }
    try {
      Connection c = node.connect(addr).get(left, TimeUnit.NANOSECONDS);
      return c == null ? "no connection" : null;
    } catch (ExecutionException e) {
      return e.getCause() == null ? e.toString() : e.getCause().getMessage();
    } catch (TimeoutException e) {
      return "timed out after " + BUDGET_SECONDS + " s";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The addresses by peer, in the given order; every problem is a bad_request naming the entry. */
  private Map<PeerId, List<Multiaddr>> parse(JsonNode addrs) {
    if (addrs == null || !addrs.isArray() || addrs.isEmpty() || addrs.size() > MAX_ADDRS) {
      throw ApiError.badRequest(
          "field 'addrs' must be a list of 1 to " + MAX_ADDRS + " multiaddr strings");
    }
    Map<PeerId, List<Multiaddr>> out = new LinkedHashMap<>();
    for (JsonNode n : addrs) {
      if (!n.isTextual()) {
        throw ApiError.badRequest("every entry of 'addrs' must be a string, got " + n);
      }
      Multiaddr a;
      try {
        a = Multiaddr.parse(n.textValue());
      } catch (MultiaddrFormatException e) {
        throw ApiError.badRequest(
            "'" + abbreviate(n.textValue()) + "' is not a multiaddr: " + e.getMessage());
      }
      if (a.peerId().isEmpty() || a.withoutPeerId().tcpSocketAddress().isEmpty()) {
        throw ApiError.badRequest(
            "'" + a + "' cannot be dialled: give /ip4 or /ip6, /tcp and /p2p/<peer id>");
      }
      if (a.peerId().get().equals(node.host().peerId())) {
        throw ApiError.badRequest("'" + a + "' is this node itself (an invite of your own?)");
      }
      out.computeIfAbsent(a.peerId().get(), k -> new ArrayList<>()).add(a);
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
