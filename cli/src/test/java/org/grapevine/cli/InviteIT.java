package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.grapevine.protocol.identity.Invite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine invite} on Bob's node and {@code grapevine follow <invite>} on Alice's: two real
 * nodes (store, host, API on 127.0.0.1) that never met; the invite alone brings them together.
 */
@Timeout(120)
class InviteIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private TestNode alice;
  private TestNode bob;

  @BeforeEach
  void start() throws Exception {
    alice = TestNode.start(tmp.resolve("alice"));
    bob = TestNode.start(tmp.resolve("bob"));
  }

  @AfterEach
  void stop() throws Exception {
    alice.close();
    bob.close();
  }

  private int run(String who, String... args) {
    std.reset();
    String[] full = java.util.Arrays.copyOf(args, args.length + 2);
    full[args.length] = "--data-dir";
    full[args.length + 1] = tmp.resolve(who).toString();
    return Main.execute(full);
  }

  private String ok(String who, String... args) {
    assertThat(run(who, args)).as(String.join(" ", args) + ": " + std.err()).isZero();
    return std.out().strip();
  }

  @Test
  void followInvite_dialsTheInvitingNode_thenFollows() throws Exception {
    String invite = ok("bob", "invite");
    assertThat(invite).startsWith("gvi1").doesNotContain(" ");
    assertThat(std.err()).contains("loopback addresses only"); // TestNode listens on 127.0.0.1.
    Invite parsed = Invite.parse(invite);
    assertThat(parsed.identity().toString()).isEqualTo(bob.identity());
    JsonNode json = JSON.readTree(ok("bob", "invite", "--json"));
    assertThat(json.path("invite").asText()).isEqualTo(invite);
    assertThat(json.path("addrs").get(0).asText())
        .startsWith("/ip4/127.0.0.1/tcp/")
        .endsWith("/p2p/" + bob.node().host().peerId());

    assertThat(alice.node().host().connections(bob.node().host().peerId())).isEmpty();
    assertThat(ok("alice", "follow", invite)).isEqualTo("following " + bob.identity());
    assertThat(std.err()).startsWith("connected to " + bob.node().host().peerId() + " at /ip4/");
    assertThat(alice.node().host().connections(bob.node().host().peerId())).isNotEmpty();
    assertThat(ok("alice", "following")).isEqualTo(bob.identity());
    JsonNode again = JSON.readTree(ok("alice", "follow", invite, "--json"));
    assertThat(again.path("entry").isNull()).isTrue(); // Already following.
    assertThat(again.path("dial").path("connected").asInt()).isEqualTo(1);
  }

  @Test
  void followInvite_nodeGone_followsAnyway_andSaysSo() throws Exception {
    String invite = ok("bob", "invite");
    String bobIdentity = bob.identity();
    bob.close();
    bob = TestNode.start(tmp.resolve("bob-again")); // Closed twice otherwise.
    assertThat(ok("alice", "follow", invite)).isEqualTo("following " + bobIdentity);
    assertThat(std.err()).contains("could not reach").contains("following anyway");
  }

  @Test
  void badInvites_oneLineEach_exitOne() throws Exception {
    String invite = ok("bob", "invite");
    char last = invite.charAt(invite.length() - 1);
    String typo = invite.substring(0, invite.length() - 1) + (last == 'q' ? 'p' : 'q');
    assertThat(run("alice", "follow", typo)).isEqualTo(1);
    assertThat(std.err())
        .startsWith("grapevine: not a Grapevine invite: checksum does not match")
        .hasLineCount(1);
    assertThat(run("alice", "follow", invite.substring(0, 40))).isEqualTo(1);
    assertThat(std.err()).contains("not a Grapevine invite").hasLineCount(1);
    assertThat(run("bob", "follow", invite)).isEqualTo(1); // One's own invite.
    assertThat(std.err()).contains("is this node itself").hasLineCount(1);
  }
}
