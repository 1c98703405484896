package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.identity.Identity;
import org.junit.jupiter.api.Test;

class NameChoiceTest {
  private static SortedSet<Identity> identities(int n) {
    TreeSet<Identity> out = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      byte[] seed = new byte[32];
      seed[0] = (byte) i;
      out.add(Identity.of(SigningKey.fromSeed(seed).publicKey()));
    }
    return out;
  }

  @Test
  void choose_fewerThanMax_all() {
    SortedSet<Identity> all = identities(5);
    assertThat(NameChoice.choose(all, i -> false, 5, 7)).containsExactlyElementsOf(all);
  }

  @Test
  void choose_moreThanMax_emptyOnesFirstThenEveryOtherInTurn() {
    SortedSet<Identity> all = identities(23);
    List<Identity> ordered = List.copyOf(all);
    Set<Identity> empty = Set.of(ordered.get(3), ordered.get(17));
    Set<Identity> seen = new HashSet<>();
    for (long round = 0; round < 4; round++) {
      List<Identity> chosen = NameChoice.choose(all, empty::contains, 8, round);
      assertThat(chosen).hasSize(8).doesNotHaveDuplicates();
      assertThat(chosen.subList(0, 2)).containsExactly(ordered.get(3), ordered.get(17));
      seen.addAll(chosen);
    }
    // 21 others in windows of 6: every one named within four sessions.
    assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void choose_moreEmptyOnesThanMax_onlyEmptyOnes() {
    SortedSet<Identity> all = identities(10);
    List<Identity> chosen = NameChoice.choose(all, i -> true, 4, 3);
    assertThat(chosen).containsExactlyElementsOf(List.copyOf(all).subList(0, 4));
  }
}
