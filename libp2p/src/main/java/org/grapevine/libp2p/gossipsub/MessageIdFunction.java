package org.grapevine.libp2p.gossipsub;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.grapevine.libp2p.proto.Message;

/**
 * Computes a message's id (pubsub/README.md "Message Identification"). Every node of a topic must
 * use the same function: IHAVE, IWANT and IDONTWANT carry these ids, and a mismatch silently breaks
 * gossip (libp2p-notes 11.4). Must be pure and must not throw on any message that decoded.
 */
@FunctionalInterface
public interface MessageIdFunction {
  MessageId apply(Message message);

  /**
   * The spec's default and go-libp2p-pubsub's: the raw bytes {@code from || seqno}. Degenerates to
   * the empty id for unsigned (StrictNoSign) messages, which need a content-based function.
   */
  static MessageIdFunction fromAndSeqno() {
    return m -> MessageId.of(m.getFrom().concat(m.getSeqno()));
  }

  /**
   * js-libp2p's StrictNoSign default: the sha2-256 multihash of the data, {@code 12 20 ||
   * sha256(data)}.
   */
  static MessageIdFunction sha256OfData() {
    return m -> {
      MessageDigest sha;
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JRE ships SHA-256", e);
      }
      byte[] digest = sha.digest(m.getData().toByteArray());
      byte[] id = new byte[2 + digest.length];
      id[0] = 0x12;
      id[1] = 0x20;
      System.arraycopy(digest, 0, id, 2, digest.length);
      return MessageId.of(id);
    };
  }
}
