package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.noise.crypto.AeadImplementation.JDK;
import static org.grapevine.libp2p.noise.crypto.AeadImplementation.OURS;

import org.junit.jupiter.api.Test;

/** The choice rule of {@link AeadImplementation}, as a pure function (no clock, no globals). */
class AeadImplementationTest {
  @Test
  void choose_unsetAndNotMeasured_isOurs() {
    assertThat(AeadImplementation.choose(null, null, true)).isEqualTo(OURS);
    assertThat(AeadImplementation.choose("auto", null, true)).isEqualTo(OURS);
  }

  @Test
  void choose_autoAfterMeasurement_followsTheMeasurement() {
    assertThat(AeadImplementation.choose(null, JDK, true)).isEqualTo(JDK);
    assertThat(AeadImplementation.choose(" AUTO ", JDK, true)).isEqualTo(JDK);
    assertThat(AeadImplementation.choose("auto", OURS, true)).isEqualTo(OURS);
  }

  @Test
  void choose_forced_overridesTheMeasurement() {
    assertThat(AeadImplementation.choose("ours", JDK, true)).isEqualTo(OURS);
    assertThat(AeadImplementation.choose("jdk", OURS, true)).isEqualTo(JDK);
    assertThat(AeadImplementation.choose("Jdk", null, true)).isEqualTo(JDK);
  }

  @Test
  void choose_jdkForcedWithoutTheCipher_namesTheProperty() {
    assertThatThrownBy(() -> AeadImplementation.choose("jdk", null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(AeadImplementation.PROPERTY + "=jdk");
  }

  @Test
  void choose_unknownValue_namesPropertyAndValue() {
    assertThatThrownBy(() -> AeadImplementation.choose("openssl", null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(AeadImplementation.PROPERTY)
        .hasMessageContaining("\"openssl\"");
  }

  @Test
  void faster_jdkNeedsAClearMargin() {
    assertThat(AeadImplementation.faster(1000, 1000)).isEqualTo(OURS);
    assertThat(AeadImplementation.faster(1000, 801)).isEqualTo(OURS);
    assertThat(AeadImplementation.faster(1000, 800)).isEqualTo(JDK);
    assertThat(AeadImplementation.faster(1000, 280)).isEqualTo(JDK);
    assertThat(AeadImplementation.faster(1000, 3000)).isEqualTo(OURS);
  }

  @Test
  void create_eachImplementation_givesItsClass() {
    byte[] key = new byte[32];
    assertThat(OURS.create(key)).isInstanceOf(ChaCha20Poly1305.class);
    assertThat(JDK.create(key)).isInstanceOf(JdkChaCha20Poly1305.class);
    assertThat(OURS.propertyValue()).isEqualTo("ours");
    assertThat(JDK.propertyValue()).isEqualTo("jdk");
  }
}
