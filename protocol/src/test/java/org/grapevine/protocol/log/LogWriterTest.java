package org.grapevine.protocol.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class LogWriterTest {
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");

  @Test
  void append_chainsSeqAndPrev() {
    LogWriter log = alice.deviceLog(laptop);
    LogEntry first = log.append(post("1"), T0_MILLIS);
    LogEntry second = log.append(post("2"), T0_MILLIS + 1);
    assertThat(first.header().seq()).isEqualTo(1);
    assertThat(first.header().prev()).isNull();
    assertThat(second.header().seq()).isEqualTo(2);
    assertThat(second.header().prev()).isEqualTo(first.id());
    assertThat(log.head()).isEqualTo(LogHead.of(second.signed()));
  }

  @Test
  void append_clockWentBack_timestampNeverDecreases() {
    LogWriter log = alice.deviceLog(laptop);
    log.append(post("1"), T0_MILLIS);
    LogEntry second = log.append(post("2"), T0_MILLIS - 60_000);
    assertThat(second.header().timestampMillis()).isEqualTo(T0_MILLIS);
  }

  @Test
  void append_contentReadersWouldReject_refused() {
    LogWriter log = alice.deviceLog(laptop);
    assertThatThrownBy(
            () -> log.append(post("x".repeat(Limits.MAX_POST_TEXT_BYTES + 1)), T0_MILLIS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FIELD_TOO_LARGE");
    assertThatThrownBy(
            () ->
                log.append(
                    Content.newBuilder()
                        .setDelegateDevice(
                            DelegateDevice.newBuilder()
                                .setDevice(TestAuthors.bytes(laptop.publicKey())))
                        .build(),
                    T0_MILLIS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not allowed in a device log");
    assertThatThrownBy(() -> alice.rootLog.append(post("root posts nothing"), T0_MILLIS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not allowed in a root log");
    assertThatThrownBy(() -> log.append(Content.getDefaultInstance(), T0_MILLIS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(log.head()).isEqualTo(LogHead.EMPTY);
  }

  @Test
  void envelopeSize_equalsTheEncodedLength_withAndWithoutContent() {
    LogEntry e = alice.deviceLog(laptop).append(post("sized " + "x".repeat(300)), T0_MILLIS);
    assertThat(e.envelopeSize()).isEqualTo(e.toEnvelopeBytes().length);
    assertThat(e.withoutContent().envelopeSize())
        .isEqualTo(e.withoutContent().toEnvelopeBytes().length);
  }

  @Test
  void appendOpaque_knownKind_refused() {
    assertThatThrownBy(() -> alice.deviceLog(laptop).appendOpaque(1, new byte[0], T0_MILLIS))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
