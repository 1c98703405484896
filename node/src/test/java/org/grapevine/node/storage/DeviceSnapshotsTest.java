package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.DeviceStatus;
import org.junit.jupiter.api.Test;

/** Stores sharing device snapshots hold one copy of equal ones, and each changes only its own. */
class DeviceSnapshotsTest {
  @Test
  void storesSharingSnapshots_holdOneCopy_andARevocationChangesOnlyItsStore() {
    DeviceSnapshots shared = new DeviceSnapshots();
    MemoryPostStore one = new MemoryPostStore(0, shared);
    MemoryPostStore two = new MemoryPostStore(0, shared);
    MemoryPostStore alone = new MemoryPostStore(0);
    Author alice = new Author("alice");
    for (MemoryPostStore s : new MemoryPostStore[] {one, two, alone}) {
      alice.delegatedIn(s);
    }
    var identity = alice.identity();
    assertThat(one.devices(identity))
        .containsKey(alice.deviceKey.publicKey())
        .isSameAs(two.devices(identity));
    assertThat(alone.devices(identity))
        .isEqualTo(one.devices(identity))
        .isNotSameAs(one.devices(identity));

    one.apply(alice.person.revoke(alice.deviceKey, 0, TestAuthors.T0_MILLIS + 1));
    assertThat(one.deviceStatus(identity, alice.deviceKey.publicKey()).state())
        .isEqualTo(DeviceStatus.State.REVOKED);
    assertThat(two.deviceStatus(identity, alice.deviceKey.publicKey()).state())
        .isNotEqualTo(DeviceStatus.State.REVOKED);
    assertThat(two.devices(identity)).isEqualTo(alone.devices(identity));
  }
}
