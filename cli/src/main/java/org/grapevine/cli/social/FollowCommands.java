package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.discovery.Invites;
import org.grapevine.protocol.identity.Invite;
import org.grapevine.protocol.identity.InviteFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Who this node follows, mutes and blocks, and who follows it. */
public final class FollowCommands {
  private FollowCommands() {}

  private static final String IDENTITY_HELP =
      "The identity (gv1..., 62 characters) or, if this node knows it, a unique prefix (7+ characters).";

  @Command(
      name = "follow",
      mixinStandardHelpOptions = true,
      description = {
        "Follow an identity: keep a verified copy of its log and show its posts in your timeline.",
        "Given an invite (gvi1..., from `grapevine invite`), the node first dials the addresses in it."
      })
  public static final class Follow extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "IDENTITY|INVITE",
        description = IDENTITY_HELP + " Or an invite (gvi1...).")
    String identity;

    private Invite invite;

    @Override
    void check() throws CliException {
      String s = identity.strip().toLowerCase(java.util.Locale.ROOT);
      if (s.startsWith(Invite.HRP + "1")) {
        try {
          invite = Invite.parse(identity);
          Invites.dialAddrs(invite); // Checks the peer id and addresses before a node is asked.
        } catch (InviteFormatException e) {
          throw new CliException(e.getMessage());
        }
      }
    }

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode dial = null;
      String who = identity;
      if (invite != null) {
        who = invite.identity().toString();
        dial = dial(api);
      }
      JsonNode r = api.post("/v1/follows", object().put("identity", who));
      if (dial != null && r instanceof ObjectNode o) {
        o.set("dial", dial);
      }
      print(
          r,
          (r.path("entry").isNull() ? "already following " : "following ")
              + r.path("identity").asText());
    }

    /** Asks the node to dial the invite's addresses; says on stderr how it went. */
    private JsonNode dial(ApiClient api) throws CliException {
      ArrayNode addrs = F.arrayNode();
      try {
        Invites.dialAddrs(invite).forEach(a -> addrs.add(a.toString()));
      } catch (InviteFormatException e) {
        throw new CliException(e.getMessage()); // check() has seen it already.
      }
      ObjectNode body = object();
      body.set("addrs", addrs);
      JsonNode d = api.post("/v1/peers", body);
      for (JsonNode p : d.path("peers")) {
        System.err.println(
            p.path("connected").asBoolean()
                ? "connected to " + p.path("peer_id").asText() + " at " + p.path("address").asText()
                : "could not reach "
                    + p.path("peer_id").asText()
                    + " ("
                    + p.path("error").asText()
                    + "); following anyway: the node keeps trying it, and finds the identity's"
                    + " posts through any peer that has them");
      }
      return d;
    }
  }

  @Command(
      name = "unfollow",
      mixinStandardHelpOptions = true,
      description = "Stop following an identity.")
  public static final class Unfollow extends NodeCommand {
    @Parameters(index = "0", paramLabel = "IDENTITY", description = IDENTITY_HELP)
    String identity;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.delete("/v1/follows/" + ApiClient.segment(identity));
      print(
          r,
          (r.path("entry").isNull() ? "was not following " : "unfollowed ")
              + r.path("identity").asText());
    }
  }

  @Command(
      name = "mute",
      mixinStandardHelpOptions = true,
      description =
          "Mute an identity on this node: its entries are no longer stored, shown or forwarded. Private (writes nothing to your log).")
  public static final class Mute extends NodeCommand {
    @Parameters(index = "0", paramLabel = "IDENTITY", description = IDENTITY_HELP)
    String identity;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.post("/v1/mutes", object().put("identity", identity));
      print(r, "muted " + r.path("identity").asText());
    }
  }

  @Command(name = "unmute", mixinStandardHelpOptions = true, description = "Unmute an identity.")
  public static final class Unmute extends NodeCommand {
    @Parameters(index = "0", paramLabel = "IDENTITY", description = IDENTITY_HELP)
    String identity;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.delete("/v1/mutes/" + ApiClient.segment(identity));
      print(r, "unmuted " + r.path("identity").asText());
    }
  }

  @Command(
      name = "block",
      mixinStandardHelpOptions = true,
      description = {
        "Block an identity on this node: stronger than mute. Its entries are no longer stored,",
        "and its replies, reactions, reposts and quotes held from before are hidden from threads",
        "and counts. Private (writes nothing about the block). If you follow it, it is unfollowed",
        "too (an ordinary unfollow entry); unblocking does not follow it again."
      })
  public static final class Block extends NodeCommand {
    @Parameters(index = "0", paramLabel = "IDENTITY", description = IDENTITY_HELP)
    String identity;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.post("/v1/blocks", object().put("identity", identity));
      print(
          r,
          "blocked "
              + r.path("identity").asText()
              + (r.path("unfollowed").asBoolean() ? " (and unfollowed it)" : ""));
    }
  }

  @Command(
      name = "unblock",
      mixinStandardHelpOptions = true,
      description = "Unblock an identity (a follow that the block ended is not restored).")
  public static final class Unblock extends NodeCommand {
    @Parameters(index = "0", paramLabel = "IDENTITY", description = IDENTITY_HELP)
    String identity;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.delete("/v1/blocks/" + ApiClient.segment(identity));
      print(r, "unblocked " + r.path("identity").asText());
    }
  }

  @Command(
      name = "blocks",
      mixinStandardHelpOptions = true,
      description = "The identities this node blocks, one a line.")
  public static final class Blocks extends NodeCommand {
    @Override
    void run(ApiClient api) throws CliException {
      printList(api.get("/v1/blocks"), "blocks", "(nobody blocked)");
    }
  }

  @Command(
      name = "following",
      mixinStandardHelpOptions = true,
      description = "The identities this node follows, one a line.")
  public static final class Following extends NodeCommand {
    @Override
    void run(ApiClient api) throws CliException {
      printList(
          api.get("/v1/follows"), "follows", "(following nobody yet; grapevine follow <identity>)");
    }
  }

  @Command(
      name = "followers",
      mixinStandardHelpOptions = true,
      description =
          "The identities known to follow this one, one a line: as far as this node knows (the follows it holds).")
  public static final class Followers extends NodeCommand {
    @Override
    void run(ApiClient api) throws CliException {
      printList(api.get("/v1/followers"), "followers", "(no known followers)");
    }
  }

  @Command(
      name = "mutes",
      mixinStandardHelpOptions = true,
      description = "The identities this node mutes, one a line.")
  public static final class Mutes extends NodeCommand {
    @Override
    void run(ApiClient api) throws CliException {
      printList(api.get("/v1/mutes"), "mutes", "(nobody muted)");
    }
  }
}
