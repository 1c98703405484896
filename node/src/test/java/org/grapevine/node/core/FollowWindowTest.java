package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.grapevine.protocol.identity.Identity;
import org.junit.jupiter.api.Test;

class FollowWindowTest {
  private static SortedSet<Identity> identities(int n) {
    SortedSet<Identity> out = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      byte[] key = new byte[32];
      key[0] = (byte) (i >> 8);
      key[1] = (byte) i;
      out.add(Identity.of(key));
    }
    return out;
  }

  @Test
  void fewerThanTheCap_allOfThemEverySession() {
    SortedSet<Identity> follows = identities(10);
    assertThat(FollowWindow.of(follows, 10, 0)).isEqualTo(follows);
    assertThat(FollowWindow.of(follows, 10, 7)).isEqualTo(follows);
  }

  @Test
  void moreThanTheCap_windowsOfTheCapCoverEveryIdentityInTurn() {
    SortedSet<Identity> follows = identities(25);
    Set<Identity> seen = new HashSet<>();
    for (long session = 0; session < 3; session++) {
      Set<Identity> w = FollowWindow.of(follows, 10, session);
      assertThat(w).hasSize(10);
      seen.addAll(w);
    }
    assertThat(seen).isEqualTo(follows); // Three sessions: every identity offered.
    assertThat(FollowWindow.of(follows, 10, 3)).isEqualTo(FollowWindow.of(follows, 10, 0));
    assertThat(FollowWindow.of(follows, 10, 0)).isNotEqualTo(FollowWindow.of(follows, 10, 1));
  }
}
