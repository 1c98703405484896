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
  void cid_ofHello_isTheWellKnownRawCid() {
    // CIDv1 raw sha2-256 of the 5 bytes "hello", as IPFS tools print it (computed here with
    // Python's hashlib and base64.b32encode, not with this code).
    assertThat(TopicCid.cid("hello"))
        .isEqualTo("bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq");
    assertThat(HexFormat.of().formatHex(TopicCid.providerKey("hello")))
        .isEqualTo("1220" + "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  }

  @Test
  void base32_rfc4648Vectors_lowerCaseWithoutPadding() {
    assertThat(TopicCid.base32(new byte[0])).isEmpty();
    assertThat(TopicCid.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("my");
    assertThat(TopicCid.base32("fo".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxq");
    assertThat(TopicCid.base32("foobar".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("mzxw6ytboi");
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
    assertThat(TopicCid.cid(topic)).startsWith("bafkrei").hasSize(59);
  }
}
