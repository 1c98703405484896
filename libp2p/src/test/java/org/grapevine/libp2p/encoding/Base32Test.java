package org.grapevine.libp2p.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Base32Test {
  @Test
  void encode_rfc4648Vectors_lowerCaseWithoutPadding() {
    assertThat(Base32.encode(new byte[0])).isEmpty();
    assertThat(Base32.encode("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("my");
    assertThat(Base32.encode("fo".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxq");
    assertThat(Base32.encode("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxw6ytboi");
  }
}
