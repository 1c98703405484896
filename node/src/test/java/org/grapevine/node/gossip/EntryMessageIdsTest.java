package org.grapevine.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.util.Arrays;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class EntryMessageIdsTest {
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final LogEntry entry =
      bob.deviceLog(bob.deviceKey("phone")).append(post("hello"), T0_MILLIS);

  @Test
  void idOf_sameEnvelopeTwice_sameIdThatStartsWithTheEntryId() {
    byte[] id = EntryMessageIds.idOf(entry.toEnvelopeBytes());
    assertThat(EntryMessageIds.idOf(entry.toEnvelopeBytes())).isEqualTo(id);
    assertThat(Arrays.copyOf(id, 32)).isEqualTo(entry.id().toBytes());
    assertThat(id).hasSize(32 + EntryMessageIds.DIGEST_BYTES);
  }

  @Test
  void idOf_badSignatureOrStrippedContentCopy_idOfItsOwn() {
    byte[] sig = entry.signed().signature();
    sig[63] ^= 1;
    byte[] badSignature =
        EntryCodec.encodeEnvelope(
            entry.signed().entryBytes(), sig, entry.contentBytes().orElseThrow());
    byte[] stripped = entry.withoutContent().toEnvelopeBytes();
    byte[] id = EntryMessageIds.idOf(entry.toEnvelopeBytes());
    assertThat(EntryMessageIds.idOf(badSignature)).isNotEqualTo(id);
    assertThat(EntryMessageIds.idOf(stripped))
        .isNotEqualTo(id)
        .isNotEqualTo(EntryMessageIds.idOf(badSignature));
  }

  @Test
  void idOf_notAnEnvelope_markedHashOfTheData() {
    assertThat(EntryMessageIds.idOf(new byte[] {1, 2, 3})).hasSize(33).startsWith((byte) 0xff);
    assertThat(EntryMessageIds.idOf(new byte[100_000])).hasSize(33);
  }
}
