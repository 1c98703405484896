package org.grapevine.protocol.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class TopicCidTest {
  @Test
  void providerKey_ofHello_isTheMultihashOfTheWellKnownRawCid() {
    // The multihash of the CID IPFS tools print for the 5 bytes "hello" (bafkrei..., see
    // libp2p's RawCidTest), computed with Python's hashlib, not with this code.
    assertThat(HexFormat.of().formatHex(TopicCid.providerKey("hello")))
        .isEqualTo("1220" + "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  }

  @Test
  void providerKey_ofAnIdentityTopic_isTheMultihashOfItsName() throws Exception {
    Identity alice = Identity.of(TestAuthors.key("alice").publicKey());
    String topic = Topics.forIdentity(alice);
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(topic.getBytes(StandardCharsets.UTF_8));

    byte[] key = TopicCid.providerKey(topic);

    assertThat(key).hasSize(34).startsWith(0x12, 0x20);
    assertThat(java.util.Arrays.copyOfRange(key, 2, 34)).isEqualTo(digest);
  }
}
