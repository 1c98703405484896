package org.grapevine.protocol.sync;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.ContentItem;
import org.grapevine.protocol.proto.Contents;
import org.grapevine.protocol.proto.Credit;
import org.grapevine.protocol.proto.Entries;
import org.grapevine.protocol.proto.EntriesByRef;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.NamedHeads;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.SeqRange;
import org.grapevine.protocol.proto.SyncDone;
import org.grapevine.protocol.proto.SyncError;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.proto.Want;
import org.grapevine.protocol.proto.WantContent;
import org.grapevine.protocol.proto.WantEntries;
import org.grapevine.protocol.proto.WantHeads;

/**
 * Encoding and size-limited decoding of SyncMessages (sync.proto). The bytes are one message
 * without its varint length prefix, which the stream adapter adds and strips (refusing lengths
 * above {@link SyncLimits#MAX_MESSAGE_BYTES} before buffering them).
 *
 * <pre>
 *   SyncMessage { 1: version = 1, oneof { 2: Heads | 3: Want | 4: Entries | 5: Credit | 6: Done | 7: Error
 *                                         | 8: WantContent | 9: Contents | 10: WantHeads
 *                                         | 11: NamedHeads | 12: WantEntries | 13: EntriesByRef } }
 * </pre>
 */
final class SyncMessageCodec {
  private SyncMessageCodec() {}

  /** Decodes one message and checks what does not depend on session state. */
  static SyncMessage decode(byte[] bytes) throws SyncProtocolException {
    if (bytes.length > SyncLimits.MAX_MESSAGE_BYTES) {
      throw new SyncProtocolException(
          SyncErrorCode.MESSAGE_TOO_LARGE,
          "message of " + bytes.length + " bytes, at most " + SyncLimits.MAX_MESSAGE_BYTES);
    }
    SyncMessage message;
    try {
      message = SyncMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SyncProtocolException(
          SyncErrorCode.MALFORMED_MESSAGE, "message does not decode: " + e.getMessage());
    }
    if (message.getVersion() != SyncLimits.VERSION) {
      throw new SyncProtocolException(
          SyncErrorCode.UNSUPPORTED_VERSION,
          "version " + message.getVersion() + ", this side speaks " + SyncLimits.VERSION);
    }
    if (message.getBodyCase() == SyncMessage.BodyCase.BODY_NOT_SET) {
      throw new SyncProtocolException(SyncErrorCode.MALFORMED_MESSAGE, "message has no body");
    }
    return message;
  }

  /** A 32-byte key field from the peer. */
  static AuthorKey key(ByteString bytes, String what) throws SyncProtocolException {
    if (bytes.size() != Limits.PUBLIC_KEY_BYTES) {
      throw new SyncProtocolException(
          SyncErrorCode.MALFORMED_MESSAGE,
          what + " of " + bytes.size() + " bytes, must be " + Limits.PUBLIC_KEY_BYTES);
    }
    return AuthorKey.of(bytes.toByteArray());
  }

  static ByteString bytes(AuthorKey key) {
    return ByteString.copyFrom(key.unsafeBytes());
  }

  static ByteString bytes(Identity identity) {
    return bytes(identity.root());
  }

  static byte[] heads(List<IdentityHeads> identities, boolean last) {
    return wrap(
        SyncMessage.newBuilder()
            .setHeads(
                Heads.newBuilder()
                    .addAllIdentities(identities)
                    .setLast(last)
                    .setAnswersContent(true)
                    .setAnswersByName(true)
                    .setAnswersRefs(true)));
  }

  static byte[] wantHeads(Collection<Identity> identities) {
    WantHeads.Builder want = WantHeads.newBuilder();
    for (Identity i : identities) {
      want.addIdentities(bytes(i));
    }
    return wrap(SyncMessage.newBuilder().setWantHeads(want));
  }

  static byte[] namedHeads(List<IdentityHeads> identities) {
    return wrap(
        SyncMessage.newBuilder()
            .setNamedHeads(NamedHeads.newBuilder().addAllIdentities(identities)));
  }

  static byte[] want(List<OpenRange> ranges) {
    Want.Builder want = Want.newBuilder();
    for (OpenRange r : ranges) {
      want.addRanges(
          SeqRange.newBuilder()
              .setIdentity(bytes(r.identity))
              .setAuthor(bytes(r.author))
              .setFromSeq(r.next)
              .setToSeq(r.to));
    }
    return wrap(SyncMessage.newBuilder().setWant(want));
  }

  /**
   * An Entries message of already encoded envelopes, written as bytes fields: on the wire an
   * embedded message and a bytes field are the same, and this keeps the envelopes byte for byte.
   */
  static byte[] entries(List<byte[]> envelopes, boolean rangeExhausted) {
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      CodedOutputStream entries = CodedOutputStream.newInstance(body);
      for (byte[] envelope : envelopes) {
        entries.writeByteArray(Entries.ENVELOPES_FIELD_NUMBER, envelope);
      }
      if (rangeExhausted) {
        entries.writeBool(Entries.RANGE_EXHAUSTED_FIELD_NUMBER, true);
      }
      entries.flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 16);
      CodedOutputStream message = CodedOutputStream.newInstance(out);
      message.writeUInt32(SyncMessage.VERSION_FIELD_NUMBER, SyncLimits.VERSION);
      message.writeByteArray(SyncMessage.ENTRIES_FIELD_NUMBER, body.toByteArray());
      message.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
  }

  /** A 32-byte content hash field from the peer. */
  static ContentHash hash(ByteString bytes) throws SyncProtocolException {
    if (bytes.size() != Limits.HASH_BYTES) {
      throw new SyncProtocolException(
          SyncErrorCode.MALFORMED_MESSAGE,
          "content hash of " + bytes.size() + " bytes, must be " + Limits.HASH_BYTES);
    }
    return ContentHash.of(bytes.toByteArray());
  }

  static byte[] wantContent(List<ContentRef> refs) {
    WantContent.Builder want = WantContent.newBuilder();
    for (ContentRef r : refs) {
      want.addRefs(
          org.grapevine.protocol.proto.ContentRef.newBuilder()
              .setIdentity(bytes(r.identity()))
              .setHash(ByteString.copyFrom(r.hash().unsafeBytes())));
    }
    return wrap(SyncMessage.newBuilder().setWantContent(want));
  }

  /** A Contents answer; a null content means "not held". */
  static byte[] contents(List<ContentHash> hashes, List<byte[]> contents) {
    Contents.Builder c = Contents.newBuilder();
    for (int i = 0; i < hashes.size(); i++) {
      ContentItem.Builder item =
          ContentItem.newBuilder().setHash(ByteString.copyFrom(hashes.get(i).unsafeBytes()));
      if (contents.get(i) != null) {
        item.setContent(ByteString.copyFrom(contents.get(i)));
      }
      c.addItems(item);
    }
    return wrap(SyncMessage.newBuilder().setContents(c));
  }

  static byte[] wantEntries(List<EntryRef> refs) {
    WantEntries.Builder want = WantEntries.newBuilder();
    for (EntryRef r : refs) {
      want.addRefs(
          Ref.newBuilder()
              .setIdentity(bytes(r.identity()))
              .setEntry(ByteString.copyFrom(r.entry().unsafeBytes())));
    }
    return wrap(SyncMessage.newBuilder().setWantEntries(want));
  }

  /**
   * An EntriesByRef answer of already encoded Addressed messages, written as bytes fields (as for
   * {@link #entries}), so each item goes out byte for byte as the source gave it.
   */
  static byte[] entriesByRef(List<byte[]> items) {
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      CodedOutputStream answer = CodedOutputStream.newInstance(body);
      for (byte[] item : items) {
        answer.writeByteArray(EntriesByRef.ITEMS_FIELD_NUMBER, item);
      }
      answer.flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 16);
      CodedOutputStream message = CodedOutputStream.newInstance(out);
      message.writeUInt32(SyncMessage.VERSION_FIELD_NUMBER, SyncLimits.VERSION);
      message.writeByteArray(SyncMessage.ENTRIES_BY_REF_FIELD_NUMBER, body.toByteArray());
      message.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
  }

  static byte[] credit(int batches) {
    return wrap(SyncMessage.newBuilder().setCredit(Credit.newBuilder().setBatches(batches)));
  }

  static byte[] done() {
    return wrap(SyncMessage.newBuilder().setDone(SyncDone.getDefaultInstance()));
  }

  static byte[] error(SyncErrorCode code, String detail) {
    return wrap(
        SyncMessage.newBuilder()
            .setError(SyncError.newBuilder().setCode(code.number()).setDetail(truncate(detail))));
  }

  /**
   * Cuts {@code detail} to at most MAX_ERROR_DETAIL_BYTES of UTF-8 without splitting a character.
   */
  static String truncate(String detail) {
    String s = detail == null ? "" : detail;
    // One pass over code points: a peer's detail may be near a megabyte.
    int bytes = 0;
    int end = 0;
    while (end < s.length()) {
      int cp = s.codePointAt(end);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > SyncLimits.MAX_ERROR_DETAIL_BYTES) {
        break;
      }
      bytes += len;
      end += Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  private static byte[] wrap(SyncMessage.Builder message) {
    return message.setVersion(SyncLimits.VERSION).build().toByteArray();
  }
}
