package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.discovery.Invites;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;
import org.grapevine.protocol.identity.Invite;
import picocli.CommandLine.Command;

/**
 * {@code grapevine invite}: one line with this node's identity and the addresses it listens on
 * (from {@code GET /v1/status}), to send to someone who then runs {@code grapevine follow} with it.
 */
@Command(
    name = "invite",
    mixinStandardHelpOptions = true,
    description = {
      "Print an invite: one checksummed line (gvi1...) with your identity and the addresses your node",
      "listens on. Whoever runs `grapevine follow <invite>` dials your node, then follows you.",
      "Public addresses come first, then LAN ones; loopback ones only when there is nothing else",
      "(such an invite works only on this machine). --json adds what it carries."
    })
public final class InviteCommand extends NodeCommand {
  @Override
  void run(ApiClient api) throws CliException {
    JsonNode s = api.get("/v1/status");
    Identity identity;
    PeerId peer;
    List<Multiaddr> listening = new ArrayList<>();
    try {
      identity = Identity.parse(s.path("identity").asText());
      peer = PeerId.parse(s.path("peer_id").asText());
      for (JsonNode a : s.path("listen_addrs")) {
        listening.add(Multiaddr.parse(a.asText()));
      }
      // Behind NAT: where the node's relays take connections for it.
      for (JsonNode a : s.path("nat").path("reservations").path("circuit_addrs")) {
        listening.add(Multiaddr.parse(a.asText()));
      }
    } catch (IdentityFormatException | MultiaddrFormatException | IllegalArgumentException e) {
      throw new CliException("the node's status is not what this CLI expects: " + e.getMessage());
    }
    Invite invite;
    try {
      invite = Invites.of(identity, peer, listening);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "cannot make an invite: "
              + e.getMessage()
              + "; start the node with --host 0.0.0.0 or an address others can reach");
    }
    ObjectNode o = object().put("invite", invite.toString()).put("identity", identity.toString());
    o.put("peer_id", peer.toString());
    ArrayNode addrs = o.putArray("addrs");
    Invites.choose(listening).forEach(a -> addrs.add(a.withPeerId(peer).toString()));
    print(o, invite.toString());
    if (!options.json() && Invites.choose(listening).stream().allMatch(InviteCommand::loopback)) {
      System.err.println(
          "(this invite has loopback addresses only: it works for a node on this machine; run the"
              + " node with --host 0.0.0.0 to invite others)");
    }
  }

  private static boolean loopback(Multiaddr a) {
    return a.tcpSocketAddress().map(s -> s.getAddress().isLoopbackAddress()).orElse(false);
  }
}
