package org.grapevine.node.gossip;

import com.google.protobuf.InvalidProtocolBufferException;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.gossipsub.MessageIdFunction;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.proto.Envelope;

/**
 * GossipSub message ids for Grapevine (DESIGN.md "Gossip"): the entry id, so the same entry
 * published twice, by its author or re-published by anyone, is one message everywhere. Data that
 * is not an envelope gets SHA-256 of the data with a marker byte, which cannot equal an entry id
 * (33 bytes, not 32): the id function must answer for any bytes.
 */
public final class EntryMessageIds {
  private static final byte NOT_AN_ENTRY = (byte) 0xff;

  private EntryMessageIds() {}

  public static MessageIdFunction function() {
    return message -> MessageId.of(idOf(message.getData().toByteArray()));
  }

  static byte[] idOf(byte[] data) {
    if (data.length <= Limits.MAX_ENVELOPE_BYTES) {
      try {
        Envelope e = Envelope.parseFrom(data);
        if (!e.getEntry().isEmpty() && e.getEntry().size() <= Limits.MAX_ENTRY_BYTES) {
          return EntryId.ofEntryBytes(e.getEntry().toByteArray()).toBytes();
        }
      } catch (InvalidProtocolBufferException notAnEnvelope) {
        // Falls through to the hash of the data.
      }
    }
    byte[] hash = Sha256.hash(data);
    byte[] id = new byte[hash.length + 1];
    id[0] = NOT_AN_ENTRY;
    System.arraycopy(hash, 0, id, 1, hash.length);
    return id;
  }
}
