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

  @Test
  void addresseeTopic_isItsOwnNamespace() {
    String to = Topics.forAddressee(alice);
    assertThat(to).isEqualTo("grapevine/1/to/" + alice);
    assertThat(Topics.addresseeOf(to)).contains(alice);
    assertThat(Topics.identityOf(to)).isEmpty();
    assertThat(Topics.addresseeOf(Topics.forIdentity(alice))).isEmpty();
    assertThat(Topics.addresseeOf("grapevine/1/to/gv1qqqq")).isEmpty();
  }
}
