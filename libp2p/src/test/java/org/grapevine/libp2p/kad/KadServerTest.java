package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.kad.KadServer.Refusal;
import org.grapevine.libp2p.kad.KadServer.Reply;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** One server with a table of 30 random peers: each request type of {@link KadServer}'s header. */
class KadServerTest {
  private static final int K = 5;
  private static final long CHECK_TIMEOUT_NANOS = 1_000;
  private static final long NOW = 1_000_000L;

  private final SplittableRandom random = new SplittableRandom(17);
  private final PeerId self = KadTestPeers.random(random);
  private final RoutingTable table = new RoutingTable(self, RoutingTable.K, CHECK_TIMEOUT_NANOS);
  private final ProviderStore store = new ProviderStore(100, 3, 50, ProviderStore.VALIDITY_MILLIS);
  private final RecordStore records = new RecordStore(2, ProviderStore.VALIDITY_MILLIS);
  private final KadServer server = new KadServer(table, store, records, K);
  private final List<PeerId> known = new ArrayList<>();
  private final PeerId stranger = KadTestPeers.random(random);
  private final Multiaddr addr = KadCodecTest.addr("/ip4/10.1.2.3/tcp/4001");

  KadServerTest() {
    for (int i = 0; i < 30; i++) {
      PeerId p = KadTestPeers.random(random);
      table.add(new KadPeer(p, List.of(addr)), 0);
      known.add(p);
    }
  }

  /** A CID's multihash: sha2-256 (0x12), 32 bytes. */
  private byte[] cidKey() {
    byte[] mh = new byte[34];
    random.nextBytes(mh);
    mh[0] = 0x12;
    mh[1] = 32;
    return mh;
  }

  private static List<PeerId> ids(List<KadPeerInfo> peers) {
    return peers.stream().map(KadPeerInfo::id).toList();
  }

  private List<PeerId> expectedCloser(KadKey target, PeerId requester) {
    return table.closest(target, RoutingTable.K).stream()
        .map(KadPeer::id)
        .filter(p -> !p.equals(requester))
        .limit(K)
        .toList();
  }

  private KadMessage answer(PeerId from, KadMessage request) {
    Reply r = server.handle(from, request, NOW);
    assertThat(r.refusal()).isEmpty();
    return r.response().orElseThrow();
  }

  @Test
  void findNode_unknownPeer_kClosestWithAddressesNoHint() {
    PeerId target = KadTestPeers.random(random);
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.FIND_NODE, target.toBytes()));
    assertThat(m.type()).isEqualTo(KadMessageType.FIND_NODE);
    assertThat(ids(m.closerPeers()))
        .containsExactlyElementsOf(expectedCloser(KadKey.of(target), stranger));
    assertThat(m.closerPeers())
        .hasSize(K)
        .allSatisfy(
            p -> {
              assertThat(p.addrs()).containsExactly(addr);
              assertThat(p.connection()).isEqualTo(KadConnection.NOT_CONNECTED);
            });
    assertThat(m.providerPeers()).isEmpty();
  }

  @Test
  void findNode_requesterInTable_isNeverListed() {
    for (PeerId requester : known) {
      KadMessage m =
          answer(requester, KadMessage.request(KadMessageType.FIND_NODE, requester.toBytes()));
      assertThat(ids(m.closerPeers())).hasSize(K).doesNotContain(requester, self);
    }
  }

  @Test
  void findNode_ourOwnId_answersOthersNotUs() {
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.FIND_NODE, self.toBytes()));
    assertThat(ids(m.closerPeers()))
        .hasSize(K)
        .doesNotContain(self)
        .containsExactlyElementsOf(expectedCloser(KadKey.of(self), stranger));
  }

  @Test
  void findNode_exactMatch_answersThatPeerOnly() {
    PeerId target = known.get(7);
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.FIND_NODE, target.toBytes()));
    assertThat(ids(m.closerPeers())).containsExactly(target);
  }

  @Test
  void findNode_keyNotAPeerId_isHashedAsRawBytes() {
    byte[] key = {1, 2, 3};
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.FIND_NODE, key));
    assertThat(ids(m.closerPeers()))
        .containsExactlyElementsOf(expectedCloser(KadKey.of(key), stranger));
  }

  @Test
  void getProviders_listsProvidersAndCloserPeers() {
    byte[] key = cidKey();
    PeerId provider = known.get(0);
    store.add(key, provider, List.of(addr), NOW);
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.GET_PROVIDERS, key));
    assertThat(m.providerPeers()).containsExactly(KadPeerInfo.of(provider, List.of(addr)));
    assertThat(ids(m.closerPeers()))
        .containsExactlyElementsOf(expectedCloser(KadKey.of(key), stranger));
    assertThat(
            answer(stranger, KadMessage.request(KadMessageType.GET_PROVIDERS, cidKey()))
                .providerPeers())
        .isEmpty();
  }

  @Test
  void addProvider_senderListed_storedAndNoAnswer() {
    byte[] key = cidKey();
    PeerId sender = KadTestPeers.random(random);
    KadMessage req =
        new KadMessage(
            KadMessageType.ADD_PROVIDER,
            key,
            null,
            List.of(),
            List.of(KadPeerInfo.of(sender, List.of(addr))));
    Reply r = server.handle(sender, req, NOW);
    assertThat(r.response()).isEmpty();
    assertThat(r.refusal()).isEmpty();
    assertThat(store.providers(key, NOW)).containsExactly(new KadPeer(sender, List.of(addr)));
    assertThat(server.providersStored()).isEqualTo(1);
  }

  @Test
  void addProvider_forgedProviderId_notStored_senderKept_counted() {
    byte[] key = cidKey();
    PeerId sender = KadTestPeers.random(random);
    PeerId victim = KadTestPeers.random(random);
    KadMessage req =
        new KadMessage(
            KadMessageType.ADD_PROVIDER,
            key,
            null,
            List.of(),
            List.of(KadPeerInfo.of(victim, List.of(addr)), KadPeerInfo.of(sender, List.of())));
    server.handle(sender, req, NOW);
    assertThat(store.providers(key, NOW)).containsExactly(KadPeer.of(sender));
    assertThat(server.refused(Refusal.FORGED_PROVIDER)).isEqualTo(1);
    assertThat(Refusal.FORGED_PROVIDER.senderAtFault()).isTrue();
  }

  @Test
  void addProvider_onlyForged_storesNothing() {
    byte[] key = cidKey();
    KadMessage req =
        new KadMessage(
            KadMessageType.ADD_PROVIDER,
            key,
            null,
            List.of(),
            List.of(KadPeerInfo.of(known.get(3), List.of(addr))));
    Reply r = server.handle(stranger, req, NOW);
    assertThat(r.response()).isEmpty();
    assertThat(store.providers(key, NOW)).isEmpty();
    assertThat(store.records()).isZero();
    assertThat(server.refused(Refusal.FORGED_PROVIDER)).isEqualTo(1);
  }

  @Test
  void addProvider_noProviderListed_refusedSendersFault() {
    Reply r =
        server.handle(stranger, KadMessage.request(KadMessageType.ADD_PROVIDER, cidKey()), NOW);
    assertThat(r.refusal()).contains(Refusal.NO_PROVIDER);
    assertThat(server.refused(Refusal.NO_PROVIDER)).isEqualTo(1);
  }

  @Test
  void addProvider_keyFull_countedNotSendersFault() {
    byte[] key = cidKey();
    for (int i = 0; i < 4; i++) {
      PeerId p = KadTestPeers.random(random);
      server.handle(
          p,
          new KadMessage(
              KadMessageType.ADD_PROVIDER,
              key,
              null,
              List.of(),
              List.of(KadPeerInfo.of(p, List.of()))),
          NOW);
    }
    assertThat(store.providers(key, NOW)).hasSize(3);
    assertThat(server.refused(Refusal.KEY_FULL)).isEqualTo(1);
    assertThat(Refusal.KEY_FULL.senderAtFault()).isFalse();
  }

  @Test
  void providerRequests_keyNotAMultihash_refusedSendersFault() {
    byte[][] bad = {{0x12}, {0x12, 32, 1}, {0x12, 0}, {(byte) 0x80}, new byte[81]};
    for (byte[] key : bad) {
      for (KadMessageType t : List.of(KadMessageType.GET_PROVIDERS, KadMessageType.ADD_PROVIDER)) {
        Reply r = server.handle(stranger, KadMessage.request(t, key), NOW);
        assertThat(r.refusal()).as("%s %s", t, key.length).contains(Refusal.INVALID_KEY);
        assertThat(r.response()).isEmpty();
      }
    }
    assertThat(server.refused(Refusal.INVALID_KEY)).isEqualTo(2L * bad.length);
    assertThat(Refusal.INVALID_KEY.senderAtFault()).isTrue();
    assertThat(KadServer.isProviderKey(cidKey())).isTrue();
    assertThat(KadServer.isProviderKey(new byte[] {0x00, 3, 'a', 'b', 'c'})).isTrue();
  }

  @Test
  void emptyKey_refusedForEveryTypeButPing() {
    for (KadMessageType t : KadMessageType.values()) {
      Reply r = server.handle(stranger, KadMessage.request(t, new byte[0]), NOW);
      if (t == KadMessageType.PING) {
        assertThat(r.response()).isPresent();
      } else {
        assertThat(r.refusal()).as("%s", t).contains(Refusal.INVALID_KEY);
      }
    }
  }

  @Test
  void getValue_noRecordOnlyCloserPeers() {
    byte[] key = "/ipns/abc".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.GET_VALUE, key));
    assertThat(m.type()).isEqualTo(KadMessageType.GET_VALUE);
    assertThat(m.optionalRecord()).isEmpty();
    assertThat(ids(m.closerPeers()))
        .containsExactlyElementsOf(expectedCloser(KadKey.of(key), stranger));
  }

  private static KadMessage put(byte[] key, KadRecord rec) {
    return new KadMessage(KadMessageType.PUT_VALUE, key, rec, List.of(), List.of());
  }

  @Test
  void putValue_validPkRecord_storedEchoedAndServedByGetValue() {
    PkRecordsTest.KeyPair pk = PkRecordsTest.rsaLike(random);
    byte[] key = PkRecords.key(pk.id());
    KadMessage request = put(key, new KadRecord(key, pk.value(), ""));
    assertThat(answer(stranger, request)).isEqualTo(request);
    assertThat(server.recordsStored()).isEqualTo(1);
    KadMessage m = answer(known.get(0), KadMessage.request(KadMessageType.GET_VALUE, key));
    assertThat(m.optionalRecord()).contains(new KadRecord(key, pk.value(), ""));
    assertThat(ids(m.closerPeers()))
        .containsExactlyElementsOf(expectedCloser(KadKey.of(key), known.get(0)));
  }

  @Test
  void putValue_invalidRecords_refusedCountedWithWhoseFault() {
    PkRecordsTest.KeyPair pk = PkRecordsTest.rsaLike(random);
    PkRecordsTest.KeyPair other = PkRecordsTest.rsaLike(random);
    byte[] key = PkRecords.key(pk.id());
    byte[] ipns = "/ipns/abc".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // Someone else's key under this ID, a record for another key, no record, garbage.
    assertThat(
            server.handle(stranger, put(key, new KadRecord(key, other.value(), "")), NOW).refusal())
        .contains(Refusal.INVALID_RECORD);
    byte[] otherKey = PkRecords.key(other.id());
    assertThat(
            server
                .handle(stranger, put(key, new KadRecord(otherKey, other.value(), "")), NOW)
                .refusal())
        .contains(Refusal.INVALID_RECORD);
    assertThat(server.handle(stranger, put(key, null), NOW).refusal())
        .contains(Refusal.INVALID_RECORD);
    assertThat(
            server
                .handle(stranger, put(key, new KadRecord(key, new byte[] {1, 2, 3}, "")), NOW)
                .refusal())
        .contains(Refusal.INVALID_RECORD);
    assertThat(
            server
                .handle(stranger, put(ipns, new KadRecord(ipns, new byte[] {1}, "")), NOW)
                .refusal())
        .contains(Refusal.UNSUPPORTED_NAMESPACE);
    assertThat(server.refused(Refusal.INVALID_RECORD)).isEqualTo(4);
    assertThat(server.refused(Refusal.UNSUPPORTED_NAMESPACE)).isEqualTo(1);
    assertThat(Refusal.INVALID_RECORD.senderAtFault()).isTrue();
    assertThat(Refusal.UNSUPPORTED_NAMESPACE.senderAtFault()).isFalse();
    assertThat(records.size()).isZero();
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.GET_VALUE, key));
    assertThat(m.optionalRecord()).isEmpty();
  }

  @Test
  void putValue_storeFull_newKeysRefusedKnownOnesRefreshed() {
    List<PkRecordsTest.KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      keys.add(PkRecordsTest.rsaLike(random));
    }
    for (int i = 0; i < 3; i++) {
      byte[] key = PkRecords.key(keys.get(i).id());
      Reply r = server.handle(stranger, put(key, new KadRecord(key, keys.get(i).value(), "")), NOW);
      assertThat(r.refusal().isPresent()).isEqualTo(i == 2);
    }
    assertThat(server.refused(Refusal.RECORD_STORE_FULL)).isEqualTo(1);
    assertThat(Refusal.RECORD_STORE_FULL.senderAtFault()).isFalse();
    byte[] first = PkRecords.key(keys.get(0).id());
    assertThat(
            server
                .handle(stranger, put(first, new KadRecord(first, keys.get(0).value(), "")), NOW)
                .refusal())
        .isEmpty();
  }

  @Test
  void ping_answersPing() {
    KadMessage m = answer(stranger, KadMessage.request(KadMessageType.PING, new byte[0]));
    assertThat(m).isEqualTo(KadMessage.request(KadMessageType.PING, new byte[0]));
  }

  @Test
  void codecRoundTrip_requestAndResponse() throws MalformedFrameException {
    KadCodec codec = new KadCodec();
    byte[] key = cidKey();
    store.add(key, known.get(1), List.of(addr), NOW);
    KadMessage request = KadMessage.request(KadMessageType.GET_PROVIDERS, key);
    KadMessage decodedRequest = codec.decode(codec.encode(request));
    assertThat(decodedRequest).isEqualTo(request);
    KadMessage response = answer(stranger, decodedRequest);
    KadMessage decodedResponse = codec.decode(codec.encode(response));
    assertThat(decodedResponse).isEqualTo(response);
    assertThat(decodedResponse.providerPeers().get(0).peer())
        .isEqualTo(new KadPeer(known.get(1), List.of(addr)));
    assertThat(decodedResponse.closerPeers()).hasSize(K);
  }

  @Test
  void answer_peersWithManyLongAddresses_trimmedToFitOneFrame() throws MalformedFrameException {
    RoutingTable big = new RoutingTable(self, RoutingTable.K, CHECK_TIMEOUT_NANOS);
    List<Multiaddr> longAddrs = new ArrayList<>();
    for (int i = 0; i < KadPeer.MAX_ADDRS; i++) {
      longAddrs.add(KadCodecTest.addr("/dns4/" + "a".repeat(200) + i + ".example/tcp/4001"));
    }
    for (int i = 0; i < 30; i++) {
      big.add(new KadPeer(KadTestPeers.random(random), longAddrs), 0);
    }
    KadServer s = new KadServer(big, store, records, RoutingTable.K);
    KadCodec codec = new KadCodec();
    KadMessage m =
        s.handle(stranger, KadMessage.request(KadMessageType.FIND_NODE, cidKey()), NOW)
            .response()
            .orElseThrow();
    byte[] wire = codec.encode(m);
    assertThat(wire.length).isLessThanOrEqualTo(codec.maxMessageBytes());
    assertThat(codec.decode(wire)).isEqualTo(m);
    assertThat(m.closerPeers()).isNotEmpty().hasSizeLessThan(RoutingTable.K);
    assertThat(s.trimmed()).isEqualTo(RoutingTable.K - m.closerPeers().size());
  }

  @Test
  void constructor_kAboveCodecLimit_rejected() {
    assertThatThrownBy(() -> new KadServer(table, store, records, KadCodec.MAX_PEERS + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KadServer(table, store, records, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
