package org.grapevine.protocol.entry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.addressed.Addressees;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.internal.Hex;
import org.grapevine.protocol.keys.RecoveryPhrase;
import org.grapevine.protocol.testing.GoldenVectors;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.MemoryLogView;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;

/**
 * The wire format is frozen by vectors: a second implementation can test itself against them too.
 */
class GoldenVectorsTest {
  private final Map<String, String> frozen = load();

  @Test
  void computedVectors_equalFrozenVectors() {
    Map<String, String> computed = GoldenVectors.compute();
    assertThat(frozen.keySet()).containsExactlyElementsOf(computed.keySet());
    computed.forEach((k, v) -> assertThat(v).as(k).isEqualTo(frozen.get(k)));
  }

  @Test
  void frozenEnvelopes_validateAndChainInOrder() {
    EntryValidator validator = new EntryValidator();
    ChainChecker checker = new ChainChecker();
    MemoryLogView view = new MemoryLogView();
    for (String key : GoldenVectors.envelopeKeys()) {
      Verification v = validator.validate(Hex.decode(frozen.get(key)));
      assertThat(v).as(key).isInstanceOf(Verification.Valid.class);
      LogEntry e = ((Verification.Valid) v).entry();
      String prefix = key.substring(0, key.length() - ".envelope".length());
      assertThat(e.id().toHex()).isEqualTo(frozen.get(prefix + ".id"));
      assertThat(checker.check(e, view, TestAuthors.T0_MILLIS + 10_000))
          .as(key)
          .isInstanceOf(ChainOutcome.Append.class);
      view.append(e);
    }
  }

  @Test
  void frozenAddressedMessage_validatesAndAddressesTheFirstIdentity() throws Exception {
    Verification v =
        new AddressedValidator(new EntryValidator())
            .validate(Hex.decode(frozen.get("other.device.1.addressed")));
    assertThat(v).isInstanceOf(Verification.Valid.class);
    LogEntry e = ((Verification.Valid) v).entry();
    assertThat(e.id().toHex()).isEqualTo(frozen.get("other.device.1.id"));
    Identity addressee = Identity.parse(frozen.get("identity.text"));
    assertThat(Addressees.of(e.content().orElseThrow())).containsExactly(addressee);
    assertThat(Topics.addresseeOf(frozen.get("addressee.topic.text"))).contains(addressee);
  }

  @Test
  void frozenIdentityAndPhrase_parseBackToTheRootKey() throws Exception {
    Identity id = Identity.parse(frozen.get("identity.text"));
    assertThat(id.root().toHex()).isEqualTo(frozen.get("root.public_key"));
    assertThat(Hex.encode(RecoveryPhrase.decode(frozen.get("root.recovery_phrase.text"))))
        .isEqualTo(frozen.get("root.seed"));
  }

  private static Map<String, String> load() {
    return GoldenVectors.read("/vectors/protocol-v1.txt");
  }
}
