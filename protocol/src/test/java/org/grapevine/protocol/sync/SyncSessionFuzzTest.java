package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;

/** Any bytes from a peer give typed outcomes only: no exception, at most one Failed. */
class SyncSessionFuzzTest {
  private static final PersonLogs ALICE = new PersonLogs("alice", 8);
  private static final byte[] VALID_BATCH =
      FakePeer.entries(
          false,
          ALICE.deviceLogs.get(0).get(5).toEnvelopeBytes(),
          ALICE.deviceLogs.get(0).get(6).toEnvelopeBytes());

  @Property(tries = 2000, seed = "20261122")
  void handleMessage_randomBytes_typedOutcomeOnly(@ForAll("randomBytes") byte[] message) {
    check(message);
  }

  @Property(tries = 2000, seed = "20261123")
  void handleMessage_mutatedValidBatch_typedOutcomeOnly(@ForAll("mutations") byte[] message) {
    check(message);
  }

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
  }

  @Provide
  Arbitrary<byte[]> mutations() {
    return Arbitraries.integers()
        .between(0, VALID_BATCH.length - 1)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .flatMap(
            positions ->
                Arbitraries.bytes()
                    .list()
                    .ofSize(positions.size())
                    .map(
                        values -> {
                          byte[] m = VALID_BATCH.clone();
                          for (int i = 0; i < positions.size(); i++) {
                            m[positions.get(i)] = values.get(i);
                          }
                          return m;
                        }));
  }

  private static void check(byte[] message) {
    SyncTestNode node = new SyncTestNode();
    ALICE.giveTo(node, 5);
    SyncSession s = new SyncSession(Set.of(ALICE.identity()), node, SyncLimits.DEFAULT, 0);
    s.handleMessage(
        FakePeer.heads(true, FakePeer.identityHeads(ALICE.identity(), ALICE.device(0), 8)), 1);
    while (s.pollOutbound().isPresent()) {
      // Drain Heads, Want, Credit.
    }
    s.handleMessage(message, 2);
    int failures = 0;
    for (SyncEvent e = s.pollEvent().orElse(null); e != null; e = s.pollEvent().orElse(null)) {
      if (e instanceof SyncEvent.Failed) {
        failures++;
      }
    }
    assertThat(failures).isLessThanOrEqualTo(1);
    while (s.pollOutbound().isPresent()) {
      // Every output encodes.
    }
    assertThat(node.contiguousHead(ALICE.device(0))).isEqualTo(5);
  }
}
