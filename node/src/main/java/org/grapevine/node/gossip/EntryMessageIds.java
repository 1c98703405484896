package org.grapevine.node.gossip;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.gossipsub.MessageIdFunction;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.proto.Envelope;

/**
 * GossipSub message ids for Grapevine (docs/ARCHITECTURE.md "Gossip"): the entry id followed by the
 * first {@link #DIGEST_BYTES} bytes of SHA-256 of the whole message. The same entry published
 * twice, by its author or re-published by anyone, is one message everywhere; and the id still names
 * the entry it carries.
 *
 * <p>Why not the bare entry id: the router remembers an id as seen when the message arrives, before
 * validation, and drops every later copy. With the entry id alone, anyone could send a copy of a
 * fresh entry with a broken signature (or without its content) first, and the valid entry would
 * then be dropped as a duplicate by every node that saw the bad copy: one message would block an
 * author's post for the whole seen-cache lifetime. Covering every byte gives the bad copy an id of
 * its own.
 *
 * <p>Data that is not an envelope gets SHA-256 of the data behind a marker byte (33 bytes, which no
 * entry message id has): the id function must answer for any bytes. An {@code Addressed} message
 * (issue 15) gets this id too: it decodes as an envelope whose "entry" is the whole inner envelope,
 * always longer than an entry may be, so the id covers every byte of it.
 */
public final class EntryMessageIds {
  /** Bytes of the message digest after the entry id: 128 bits, no second preimage in reach. */
  static final int DIGEST_BYTES = 16;

  private static final byte NOT_AN_ENTRY = (byte) 0xff;

  private EntryMessageIds() {}

  public static MessageIdFunction function() {
    return message -> MessageId.of(idOf(message.getData().toByteArray()));
  }

  static byte[] idOf(byte[] data) {
    byte[] digest = Sha256.hash(data);
    if (data.length <= Limits.MAX_ENVELOPE_BYTES) {
      try {
        Envelope e = Envelope.parseFrom(data);
        if (!e.getEntry().isEmpty() && e.getEntry().size() <= Limits.MAX_ENTRY_BYTES) {
          byte[] entryId = EntryId.ofEntryBytes(e.getEntry().toByteArray()).toBytes();
          byte[] id = Arrays.copyOf(entryId, entryId.length + DIGEST_BYTES);
          System.arraycopy(digest, 0, id, entryId.length, DIGEST_BYTES);
          return id;
        }
      } catch (InvalidProtocolBufferException notAnEnvelope) {
        // Falls through to the hash of the data.
      }
    }
    byte[] id = new byte[digest.length + 1];
    id[0] = NOT_AN_ENTRY;
    System.arraycopy(digest, 0, id, 1, digest.length);
    return id;
  }
}
