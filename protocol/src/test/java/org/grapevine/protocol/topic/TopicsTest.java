package org.grapevine.protocol.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class TopicsTest {
  private final Identity alice = Identity.of(TestAuthors.key("alice").publicKey());

  @Test
  void forIdentity_namesVersionAndIdentity() {
    assertThat(Topics.forIdentity(alice)).isEqualTo("grapevine/1/id/" + alice);
  }

  @Test
  void identityOf_roundTripsAndRefusesOthers() {
    assertThat(Topics.identityOf(Topics.forIdentity(alice))).contains(alice);
    assertThat(Topics.identityOf("grapevine/2/id/" + alice)).isEmpty();
    assertThat(Topics.identityOf("grapevine/1/id/" + alice.toString().toUpperCase(Locale.ROOT)))
        .isEmpty();
    assertThat(Topics.identityOf("grapevine/1/id/gv1qqqq")).isEmpty();
    assertThat(Topics.identityOf(null)).isEmpty();
  }
}
