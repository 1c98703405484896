package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static final AuthorKey AUTHOR = TestAuthors.key("a").publicKey();
  private static final Identity IDENTITY = Identity.of(TestAuthors.key("root").publicKey());

  @Test
  void entry_seqsAcrossByteBoundaries_sortInNumericOrder() {
    long[] seqs = {1, 2, 255, 256, 65_535, 65_536, 1L << 32, Long.MAX_VALUE};
    for (int i = 1; i < seqs.length; i++) {
      assertThat(Arrays.compareUnsigned(Keys.entry(AUTHOR, seqs[i - 1]), Keys.entry(AUTHOR, seqs[i]))).isNegative();
    }
    assertThat(Keys.entry(AUTHOR, 1)).hasSize(1 + 32 + 8).startsWith(Keys.entryPrefix(AUTHOR));
  }

  @Test
  void time_timestampsThenIds_sortInNumericOrder() {
    EntryId low = EntryId.of(new byte[32]);
    byte[] ff = new byte[32];
    Arrays.fill(ff, (byte) 0xff);
    EntryId high = EntryId.of(ff);
    long t = TestAuthors.T0_MILLIS;
    assertThat(Arrays.compareUnsigned(Keys.time(IDENTITY, t, high), Keys.time(IDENTITY, t + 1, low))).isNegative();
    assertThat(Arrays.compareUnsigned(Keys.time(IDENTITY, t, low), Keys.time(IDENTITY, t, high))).isNegative();
    assertThat(Keys.timeLast(IDENTITY, t)).isEqualTo(Keys.time(IDENTITY, t, high));
    assertThat(Keys.time(IDENTITY, t, low)).hasSize(1 + 32 + 8 + 32).startsWith(Keys.timePrefix(IDENTITY));
  }

  @Test
  void keyPrefix_values_areUniqueAndNeverRenumbered() {
    Set<Byte> seen = new HashSet<>();
    for (KeyPrefix p : KeyPrefix.values()) {
      assertThat(seen.add(p.value())).as("%s", p).isTrue();
    }
    // On disk forever: changing one of these silently corrupts every existing store.
    assertThat(KeyPrefix.ENTRY.value()).isEqualTo((byte) 1);
    assertThat(KeyPrefix.CONTENT.value()).isEqualTo((byte) 2);
    assertThat(KeyPrefix.FORK.value()).isEqualTo((byte) 3);
    assertThat(KeyPrefix.SCHEMA_VERSION.value()).isEqualTo((byte) 7);
    assertThat(KeyPrefix.HEAD.value()).isEqualTo((byte) 86);
    assertThat(KeyPrefix.TIME.value()).isEqualTo((byte) 89);
    assertThat(KeyPrefix.STORED_BYTES.value()).isEqualTo((byte) 92);
  }
}
