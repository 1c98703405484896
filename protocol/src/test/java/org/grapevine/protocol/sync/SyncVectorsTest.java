package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.grapevine.protocol.internal.Hex;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.testing.GoldenVectors;
import org.junit.jupiter.api.Test;

/**
 * The sync wire format is frozen by vectors (a second implementation can test itself against them);
 * the frozen bytes also decode to what they stand for, and a first-release Heads reads as a peer
 * that answers neither content nor names.
 */
class SyncVectorsTest {
  private final Map<String, String> frozen = load();

  @Test
  void computedVectors_equalFrozenVectors() {
    Map<String, String> computed = SyncVectors.compute();
    assertThat(frozen.keySet()).containsExactlyElementsOf(computed.keySet());
    computed.forEach((k, v) -> assertThat(v).as(k).isEqualTo(frozen.get(k)));
  }

  @Test
  void frozenHeads_newSaysItAnswersByName_firstReleaseDoesNot() throws Exception {
    SyncMessage now = SyncMessageCodec.decode(Hex.decode(frozen.get("heads")));
    assertThat(now.getHeads().getAnswersByName()).isTrue();
    assertThat(now.getHeads().getAnswersContent()).isTrue();
    SyncMessage old = SyncMessageCodec.decode(Hex.decode(frozen.get("heads.first_release")));
    assertThat(old.getHeads().getAnswersByName()).isFalse();
    assertThat(old.getHeads().getAnswersContent()).isFalse();
    assertThat(old.getHeads().getIdentities(0)).isEqualTo(SyncVectors.identityHeads());
  }

  @Test
  void frozenWantHeads_servedBySessionHoldingTheIdentity_answersTheFrozenNamedHeads() {
    SyncTestNode node = new SyncTestNode();
    SyncSession server = new SyncSession(Set.of(), node, SyncSessionTest.SMALL, 0);
    server.pollOutbound(); // Its own Heads.
    // Holds nothing of the identity: the answer is the frozen empty NamedHeads.
    server.handleMessage(Hex.decode(frozen.get("want_heads")), 1);
    assertThat(Hex.encode(server.pollOutbound().orElseThrow()))
        .isEqualTo(frozen.get("named_heads.none_held"));
    assertThat(server.isOver()).isFalse();
  }

  @Test
  void frozenWantEntries_servedBySessionHoldingTheEntry_answersTheFrozenEntriesByRef()
      throws Exception {
    byte[] item =
        SyncMessageCodec.decode(Hex.decode(frozen.get("entries_by_ref")))
            .getEntriesByRef()
            .getItems(0)
            .toByteArray();
    EntryRef held = SyncVectors.refOf(item);
    SyncSource holding =
        new SyncSource() {
          @Override
          public java.util.Map<org.grapevine.protocol.identity.AuthorKey, Long> heads(
              org.grapevine.protocol.identity.Identity identity) {
            return java.util.Map.of();
          }

          @Override
          public long contiguousHead(org.grapevine.protocol.identity.AuthorKey author) {
            return 0;
          }

          @Override
          public java.util.List<org.grapevine.protocol.entry.LogEntry> entries(
              org.grapevine.protocol.identity.AuthorKey author,
              long fromSeq,
              int maxCount,
              long maxBytes) {
            return java.util.List.of();
          }

          @Override
          public java.util.Optional<byte[]> entryByRef(EntryRef ref) {
            return ref.equals(held) ? java.util.Optional.of(item) : java.util.Optional.empty();
          }
        };
    SyncSession server = new SyncSession(Set.of(), holding, SyncSessionTest.SMALL, 0);
    server.pollOutbound(); // Its own Heads.
    server.handleMessage(Hex.decode(frozen.get("want_entries")), 1);
    assertThat(Hex.encode(server.pollOutbound().orElseThrow()))
        .isEqualTo(frozen.get("entries_by_ref"));
    SyncMessage heads = SyncMessageCodec.decode(Hex.decode(frozen.get("heads")));
    assertThat(heads.getHeads().getAnswersRefs()).as("frozen before step 5a").isFalse();
    assertThat(
            SyncMessageCodec.decode(Hex.decode(frozen.get("heads.answers_refs")))
                .getHeads()
                .getAnswersRefs())
        .isTrue();
  }

  private static Map<String, String> load() {
    return GoldenVectors.read("/vectors/sync-v1.txt");
  }
}
