package org.grapevine.protocol.sync;

import com.google.protobuf.ByteString;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Credit;
import org.grapevine.protocol.proto.Entries;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.LogHeadSeq;
import org.grapevine.protocol.proto.SeqRange;
import org.grapevine.protocol.proto.SyncDone;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.proto.Want;

/** Hand-built messages, honest or not, as a misbehaving peer would send them. */
final class FakePeer {
  private FakePeer() {}

  static ByteString key(AuthorKey k) {
    return ByteString.copyFrom(k.unsafeBytes());
  }

  static IdentityHeads identityHeads(Identity identity, AuthorKey author, long head) {
    return IdentityHeads.newBuilder()
        .setIdentity(key(identity.root()))
        .addLogs(LogHeadSeq.newBuilder().setAuthor(key(author)).setHead(head))
        .build();
  }

  static byte[] heads(boolean last, IdentityHeads... identities) {
    Heads.Builder h = Heads.newBuilder().setLast(last);
    for (IdentityHeads i : identities) {
      h.addIdentities(i);
    }
    return wrap(SyncMessage.newBuilder().setHeads(h));
  }

  static byte[] want(Identity identity, AuthorKey author, long from, long to) {
    return wrap(
        SyncMessage.newBuilder()
            .setWant(
                Want.newBuilder()
                    .addRanges(
                        SeqRange.newBuilder()
                            .setIdentity(key(identity.root()))
                            .setAuthor(key(author))
                            .setFromSeq(from)
                            .setToSeq(to))));
  }

  static byte[] entries(boolean exhausted, byte[]... envelopes) {
    Entries.Builder e = Entries.newBuilder().setRangeExhausted(exhausted);
    for (byte[] envelope : envelopes) {
      try {
        e.addEnvelopes(Envelope.parseFrom(envelope));
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        throw new AssertionError(ex);
      }
    }
    return wrap(SyncMessage.newBuilder().setEntries(e));
  }

  static byte[] credit(int batches) {
    return wrap(SyncMessage.newBuilder().setCredit(Credit.newBuilder().setBatches(batches)));
  }

  static byte[] done() {
    return wrap(SyncMessage.newBuilder().setDone(SyncDone.getDefaultInstance()));
  }

  static byte[] wrap(SyncMessage.Builder m) {
    return m.setVersion(SyncLimits.VERSION).build().toByteArray();
  }
}
