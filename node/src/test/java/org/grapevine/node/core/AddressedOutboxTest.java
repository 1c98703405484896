package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressedOutboxTest {
  private final AddressedOutbox outbox = new AddressedOutbox();

  @Test
  void messagesWaitPerTopic_inOrder_andAreTakenOnce() {
    assertThat(outbox.hold("to/bob", new byte[] {1}, 0)).isTrue();
    assertThat(outbox.hold("to/bob", new byte[] {2}, 5)).isFalse();
    assertThat(outbox.hold("to/carol", new byte[] {3}, 5)).isTrue();

    assertThat(outbox.take("to/bob")).containsExactly(new byte[] {1}, new byte[] {2});
    assertThat(outbox.take("to/bob")).isEmpty();
    assertThat(outbox.waitsFor("to/carol")).isTrue();
    assertThat(outbox.waitsFor("to/bob")).isFalse();
    assertThat(outbox.size()).isEqualTo(1);
    assertThat(outbox.sentLate()).isEqualTo(2);
  }

  @Test
  void perAddresseeAndTotalBounds_dropTheOldest_counted() {
    for (int i = 0; i < AddressedOutbox.MAX_PER_ADDRESSEE + 3; i++) {
      outbox.hold("to/bob", new byte[] {(byte) i}, i);
    }
    assertThat(outbox.size()).isEqualTo(AddressedOutbox.MAX_PER_ADDRESSEE);
    assertThat(outbox.droppedFull()).isEqualTo(3);
    assertThat(outbox.take("to/bob").get(0)).containsExactly(3);

    for (int i = 0; i < AddressedOutbox.MAX_MESSAGES + 1; i++) {
      outbox.hold("to/p" + (i % 100), new byte[] {(byte) i}, 100 + i);
    }
    assertThat(outbox.size()).isEqualTo(AddressedOutbox.MAX_MESSAGES);
    assertThat(outbox.droppedFull()).isEqualTo(4);
  }

  @Test
  void expiry_dropsWhatWaitedTooLong_andNamesTheEmptiedTopics() {
    outbox.hold("to/bob", new byte[] {1}, 0);
    outbox.hold("to/carol", new byte[] {2}, 10);
    assertThat(outbox.nextExpiry()).isEqualTo(AddressedOutbox.TTL_NANOS);

    assertThat(outbox.expire(AddressedOutbox.TTL_NANOS - 1)).isEmpty();
    assertThat(outbox.expire(AddressedOutbox.TTL_NANOS)).containsExactly("to/bob");
    assertThat(outbox.expired()).isEqualTo(1);
    assertThat(outbox.nextExpiry()).isEqualTo(AddressedOutbox.TTL_NANOS + 10);
    assertThat(outbox.expire(AddressedOutbox.TTL_NANOS + 10)).containsExactly("to/carol");
    assertThat(outbox.nextExpiry()).isEqualTo(Long.MAX_VALUE);
  }
}
