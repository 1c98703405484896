package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * The outputs of one {@link SyncSession} driven by hand in a test (the other side played by the
 * test): what it sent and what it reported, collected after every input.
 */
final class SessionTap {
  private SessionTap() {}

  /** Moves every message and event the session has ready into {@code sent} and {@code events}. */
  static void drain(SyncSession session, List<byte[]> sent, List<SyncEvent> events) {
    for (byte[] m = session.pollOutbound().orElse(null);
        m != null;
        m = session.pollOutbound().orElse(null)) {
      sent.add(m);
    }
    for (SyncEvent e = session.pollEvent().orElse(null);
        e != null;
        e = session.pollEvent().orElse(null)) {
      events.add(e);
    }
  }

  /**
   * The session failed with {@code code}, blaming the peer: its only event says so, its last
   * message is the Error with that code, and it is over.
   */
  static void assertFailedByPeer(
      SyncSession session, List<byte[]> sent, List<SyncEvent> events, SyncErrorCode code) {
    assertThat(events).as("events").singleElement().isInstanceOf(SyncEvent.Failed.class);
    SyncEvent.Failed failed = (SyncEvent.Failed) events.get(0);
    assertThat(failed.code()).isEqualTo(code);
    assertThat(failed.fault()).isEqualTo(SyncEvent.Fault.PEER);
    assertThat(SyncPair.parse(sent.get(sent.size() - 1)).getError().getCode())
        .isEqualTo(code.number());
    assertThat(session.isOver()).isTrue();
  }
}
