package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.libp2p.kad.ProviderStore.AddStatus;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

class ProviderStoreTest {
  private static final long HOUR = 3_600_000L;
  private static final byte[] KEY = {0x12, 0x20, 1, 2, 3};
  private static final byte[] OTHER = {0x12, 0x20, 9, 9, 9};

  private final SplittableRandom random = new SplittableRandom(13);
  private final PeerId a = KadTestPeers.random(random);
  private final PeerId b = KadTestPeers.random(random);
  private final PeerId c = KadTestPeers.random(random);

  private static List<Multiaddr> addrs(int n) throws Exception {
    List<Multiaddr> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Multiaddr.parse("/ip4/10.0.0." + (i % 250 + 1) + "/tcp/" + (4000 + i)));
    }
    return out;
  }

  private static ProviderStore store() {
    return new ProviderStore(100, 20, 50, ProviderStore.VALIDITY_MILLIS);
  }

  @Test
  void add_thenProviders_returnsThemWithAddresses() throws Exception {
    ProviderStore s = store();
    assertThat(s.add(KEY, a, addrs(2), 0)).isEqualTo(AddStatus.ADDED);
    assertThat(s.add(KEY, b, List.of(), 0)).isEqualTo(AddStatus.ADDED);
    assertThat(s.providers(KEY, 1)).containsExactly(new KadPeer(a, addrs(2)), KadPeer.of(b));
    assertThat(s.providers(OTHER, 1)).isEmpty();
    assertThat(s.records()).isEqualTo(2);
  }

  @Test
  void remove_dropsOneProvidersRecord_countsFollow_andTheKeyGoesWithItsLast() {
    ProviderStore s = new ProviderStore(100, 20, 1, ProviderStore.VALIDITY_MILLIS);
    s.add(KEY, a, List.of(), 0);
    s.add(KEY, b, List.of(), 0);
    assertThat(s.add(OTHER, a, List.of(), 0)).isEqualTo(AddStatus.PROVIDER_FULL);
    assertThat(s.remove(KEY, a)).isTrue();
    assertThat(s.remove(KEY, a)).isFalse();
    assertThat(s.remove(OTHER, c)).isFalse();
    assertThat(s.providers(KEY, 0)).containsExactly(KadPeer.of(b));
    assertThat(s.records()).isEqualTo(1);
    assertThat(s.add(OTHER, a, List.of(), 0)).as("a's key count freed").isEqualTo(AddStatus.ADDED);
    assertThat(s.remove(KEY, b)).isTrue();
    assertThat(s.keys()).isEqualTo(1);
  }

  @Test
  void add_keyIsCopied_laterChangesToTheCallersArrayDoNotMoveTheRecord() {
    ProviderStore s = store();
    byte[] key = KEY.clone();
    s.add(key, a, List.of(), 0);
    key[4] = 42;
    assertThat(s.providers(KEY, 0)).containsExactly(KadPeer.of(a));
  }

  @Test
  void providers_expireAfter48HoursFromTheLastAnnouncement() {
    ProviderStore s = store();
    s.add(KEY, a, List.of(), 0);
    s.add(KEY, b, List.of(), 10 * HOUR);
    assertThat(s.providers(KEY, 48 * HOUR - 1)).containsExactly(KadPeer.of(a), KadPeer.of(b));
    assertThat(s.providers(KEY, 48 * HOUR)).containsExactly(KadPeer.of(b));
    assertThat(s.add(KEY, b, List.of(), 40 * HOUR)).isEqualTo(AddStatus.REFRESHED);
    assertThat(s.providers(KEY, 87 * HOUR)).containsExactly(KadPeer.of(b));
    assertThat(s.providers(KEY, 88 * HOUR)).isEmpty();
    assertThat(s.keys()).isZero();
    assertThat(s.expired()).isEqualTo(2);
  }

  @Test
  void expire_dropsEveryExpiredRecordAndEmptyKey() {
    ProviderStore s = store();
    s.add(KEY, a, List.of(), 0);
    s.add(OTHER, a, List.of(), 0);
    s.add(OTHER, b, List.of(), 30 * HOUR);
    assertThat(s.expire(48 * HOUR)).isEqualTo(2);
    assertThat(s.keys()).isEqualTo(1);
    assertThat(s.records()).isEqualTo(1);
    assertThat(s.expire(48 * HOUR)).isZero();
  }

  @Test
  void add_refresh_updatesAddressesAndKeepsOneRecord() throws Exception {
    ProviderStore s = store();
    s.add(KEY, a, addrs(1), 0);
    s.add(KEY, a, addrs(3), HOUR);
    assertThat(s.providers(KEY, HOUR)).containsExactly(new KadPeer(a, addrs(3)));
    assertThat(s.records()).isEqualTo(1);
  }

  @Test
  void add_fullKey_refusesNewcomersKeepsProvidersAndCounts() {
    ProviderStore s = new ProviderStore(100, 2, 50, ProviderStore.VALIDITY_MILLIS);
    s.add(KEY, a, List.of(), 0);
    s.add(KEY, b, List.of(), 0);
    assertThat(s.add(KEY, c, List.of(), 1)).isEqualTo(AddStatus.KEY_FULL);
    assertThat(s.add(KEY, a, List.of(), 1)).isEqualTo(AddStatus.REFRESHED);
    assertThat(s.providers(KEY, 1)).extracting(KadPeer::id).containsExactly(b, a);
    assertThat(s.refused(AddStatus.KEY_FULL)).isEqualTo(1);
    // Expiry makes room again.
    assertThat(s.add(KEY, c, List.of(), 48 * HOUR)).isEqualTo(AddStatus.ADDED);
  }

  @Test
  void add_fullStore_refusesNewKeysOnly() {
    ProviderStore s = new ProviderStore(1, 20, 50, ProviderStore.VALIDITY_MILLIS);
    s.add(KEY, a, List.of(), 0);
    assertThat(s.add(OTHER, a, List.of(), 0)).isEqualTo(AddStatus.STORE_FULL);
    assertThat(s.add(KEY, b, List.of(), 0)).isEqualTo(AddStatus.ADDED);
    assertThat(s.refused(AddStatus.STORE_FULL)).isEqualTo(1);
  }

  @Test
  void add_onePeerAnnouncingThousandsOfKeys_isCappedAndOthersStillFit() {
    ProviderStore s = new ProviderStore(10_000, 20, 50, ProviderStore.VALIDITY_MILLIS);
    int added = 0;
    for (int i = 0; i < 5_000; i++) {
      if (s.add(new byte[] {0x12, 0x20, (byte) i, (byte) (i >> 8)}, a, List.of(), 0)
          == AddStatus.ADDED) {
        added++;
      }
    }
    assertThat(added).isEqualTo(50);
    assertThat(s.refused(AddStatus.PROVIDER_FULL)).isEqualTo(4_950);
    assertThat(s.keys()).isEqualTo(50);
    assertThat(s.add(KEY, b, List.of(), 0)).isEqualTo(AddStatus.ADDED);
    // Its records expiring frees its quota.
    s.expire(48 * HOUR);
    assertThat(s.add(OTHER, a, List.of(), 48 * HOUR)).isEqualTo(AddStatus.ADDED);
  }

  @Test
  void add_tooManyAddresses_keepsTheFirstAndCountsTheRest() throws Exception {
    ProviderStore s = store();
    s.add(KEY, a, addrs(KadPeer.MAX_ADDRS + 5), 0);
    assertThat(s.providers(KEY, 0).get(0).addrs()).isEqualTo(addrs(KadPeer.MAX_ADDRS));
    assertThat(s.addrsCut()).isEqualTo(5);
  }
}
