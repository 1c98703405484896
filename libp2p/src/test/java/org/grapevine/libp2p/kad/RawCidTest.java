package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class RawCidTest {
  @Test
  void text_ofHello_isTheWellKnownRawCid() throws Exception {
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest("hello".getBytes(StandardCharsets.US_ASCII));
    byte[] multihash = new byte[34];
    multihash[0] = 0x12;
    multihash[1] = 0x20;
    System.arraycopy(digest, 0, multihash, 2, 32);
    // CIDv1 raw sha2-256 of the 5 bytes "hello", as IPFS tools print it (computed with Python's
    // hashlib and base64.b32encode, not with this code).
    assertThat(RawCid.text(multihash))
        .isEqualTo("bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq")
        .startsWith("bafkrei")
        .hasSize(59);
  }
}
