package org.grapevine.protocol.sync;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.internal.Hex;
import org.grapevine.protocol.proto.Addressed;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.LogHeadSeq;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.testing.GoldenVectors;

/**
 * The sync messages (sync.proto) of fixed inputs, as this implementation writes them, one of each
 * kind. {@code SyncVectorsTest} compares them with the frozen copy in {@code
 * src/test/resources/vectors/sync-v1.txt}: a difference is a wire-format change. The keys are those
 * of the protocol vectors (root seed 00..1f, device seed 20..3f). Run {@link #main} only when a
 * format change is intended, and say so.
 */
final class SyncVectors {
  private SyncVectors() {}

  static final Identity IDENTITY = Identity.of(SigningKey.fromSeed(bytes(0x00)).publicKey());
  static final AuthorKey DEVICE = SigningKey.fromSeed(bytes(0x20)).publicKey();

  /** The identity's heads: root log at 1, the device's log at 3. */
  static IdentityHeads identityHeads() {
    return IdentityHeads.newBuilder()
        .setIdentity(SyncMessageCodec.bytes(IDENTITY))
        .addLogs(
            LogHeadSeq.newBuilder().setAuthor(SyncMessageCodec.bytes(IDENTITY.root())).setHead(1))
        .addLogs(LogHeadSeq.newBuilder().setAuthor(SyncMessageCodec.bytes(DEVICE)).setHead(3))
        .build();
  }

  static Map<String, String> compute() {
    Map<String, String> v = new LinkedHashMap<>();
    // What a peer of sync by name sends (before entries by reference): frozen before
    // answers_refs; what this implementation writes now is heads.answers_refs.
    v.put(
        "heads",
        Hex.encode(
            SyncMessage.newBuilder()
                .setVersion(SyncLimits.VERSION)
                .setHeads(
                    Heads.newBuilder()
                        .addIdentities(identityHeads())
                        .setLast(true)
                        .setAnswersContent(true)
                        .setAnswersByName(true))
                .build()
                .toByteArray()));
    // What a peer of the first release sends: no answers_content, no answers_by_name.
    v.put(
        "heads.first_release",
        Hex.encode(
            SyncMessage.newBuilder()
                .setVersion(SyncLimits.VERSION)
                .setHeads(Heads.newBuilder().addIdentities(identityHeads()).setLast(true))
                .build()
                .toByteArray()));
    v.put("want_heads", Hex.encode(SyncMessageCodec.wantHeads(List.of(IDENTITY))));
    v.put("named_heads", Hex.encode(SyncMessageCodec.namedHeads(List.of(identityHeads()))));
    v.put("named_heads.none_held", Hex.encode(SyncMessageCodec.namedHeads(List.of())));
    v.put(
        "want",
        Hex.encode(SyncMessageCodec.want(List.of(new OpenRange(IDENTITY, DEVICE, 2, 3, true)))));
    v.put("credit", Hex.encode(SyncMessageCodec.credit(4)));
    v.put("done", Hex.encode(SyncMessageCodec.done()));
    ContentHash hash = ContentHash.ofContent("hello".getBytes(StandardCharsets.UTF_8));
    v.put(
        "want_content",
        Hex.encode(SyncMessageCodec.wantContent(List.of(new ContentRef(IDENTITY, hash)))));
    v.put(
        "contents",
        Hex.encode(
            SyncMessageCodec.contents(
                List.of(hash, hash),
                java.util.Arrays.asList("hello".getBytes(StandardCharsets.UTF_8), null))));
    v.put(
        "error.too_many_names",
        Hex.encode(SyncMessageCodec.error(SyncErrorCode.TOO_MANY_NAMES, "4097 names")));
    // Entries by reference (step 5a), added after the vectors above were frozen.
    v.put("heads.answers_refs", Hex.encode(SyncMessageCodec.heads(List.of(identityHeads()), true)));
    byte[] addressed = Hex.decode(GoldenVectors.compute().get("other.device.1.addressed"));
    v.put("want_entries", Hex.encode(SyncMessageCodec.wantEntries(List.of(refOf(addressed)))));
    v.put("entries_by_ref", Hex.encode(SyncMessageCodec.entriesByRef(List.of(addressed))));
    v.put("entries_by_ref.none_held", Hex.encode(SyncMessageCodec.entriesByRef(List.of())));
    v.put(
        "error.too_many_refs",
        Hex.encode(SyncMessageCodec.error(SyncErrorCode.TOO_MANY_REFS, "257 refs")));
    return v;
  }

  /** The ref of the entry in an Addressed message (the protocol vectors' addressed reply). */
  static EntryRef refOf(byte[] addressed) {
    try {
      byte[] entry = Addressed.parseFrom(addressed).getEntry().getEntry().toByteArray();
      return new EntryRef(
          Identity.of(Entry.parseFrom(entry).getIdentity().toByteArray()),
          EntryId.ofEntryBytes(entry));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("the frozen addressed vector does not decode", e);
    }
  }

  private static byte[] bytes(int start) {
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) (start + i);
    }
    return b;
  }

  /** Prints the vectors file. */
  public static void main(String[] args) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "# Grapevine sync (/grapevine/sync/1.0.0) vectors. Frozen: a change is a wire change.\n");
    sb.append(
        "# Generated by org.grapevine.protocol.sync.SyncVectors; one SyncMessage each, hex,\n");
    sb.append("# without the varint length prefix. Keys: root seed 00..1f, device seed 20..3f.\n");
    compute().forEach((k, val) -> sb.append(k).append(" = ").append(val).append('\n'));
    System.out.print(sb);
    System.out.flush();
  }
}
