package org.grapevine.libp2p.gossipsub;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;

/**
 * Message signatures (pubsub/README.md "Message Signing"): {@code signature = Sign(key,
 * "libp2p-pubsub:" || protobuf(Message without signature and key))}.
 *
 * <p>The signed bytes are our own canonical encoding of fields 1..4 ({@code from, data, seqno,
 * topic}) in field order, each written only when present, never the received bytes: js re-encodes
 * the same way (libp2p-notes 11.3 pitfall), so a sender that reorders fields or adds unknown ones
 * fails everywhere alike. A present but empty {@code data} is kept, as js does.
 */
public final class MessageSigning {
  static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);
  public static final int SEQNO_BYTES = 8;

  private MessageSigning() {}

  /**
   * Sets {@code signature} on a message that already has from, seqno and topic. Omits {@code key}:
   * our key is always Ed25519 ({@link PrivKey}), inlined in {@code from} (go's behaviour).
   */
  public static Message sign(Message unsigned, PrivKey key) {
    byte[] sig = key.sign(signedBytes(unsigned));
    return unsigned.toBuilder().setSignature(ByteString.copyFrom(sig)).build();
  }

  /** {@code "libp2p-pubsub:" || canonical protobuf of {from, data, seqno, topic}}. */
  public static byte[] signedBytes(Message m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(PREFIX.length + m.getSerializedSize());
    out.writeBytes(PREFIX);
    if (m.hasFrom()) {
      field(out, 1, m.getFrom());
    }
    if (m.hasData()) {
      field(out, 2, m.getData());
    }
    if (m.hasSeqno()) {
      field(out, 3, m.getSeqno());
    }
    if (m.hasTopic()) {
      field(out, 4, m.getTopicBytes());
    }
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, int number, ByteString value) {
    out.write((number << 3) | 2); // Wire type 2 (length-delimited); numbers 1..4 fit one byte.
    out.writeBytes(Varint.encode(value.size()));
    out.writeBytes(value.toByteArray());
  }

  /**
   * The spec's inbound checks for {@code policy}; empty when the message passes. Numbered as the
   * spec lists them.
   */
  public static Optional<GossipErrorCode> check(Message m, SignaturePolicy policy) {
    if (policy == SignaturePolicy.STRICT_NO_SIGN) {
      boolean any = m.hasFrom() || m.hasSeqno() || m.hasSignature() || m.hasKey();
      return any ? Optional.of(GossipErrorCode.UNEXPECTED_SIGNATURE_FIELDS) : Optional.empty();
    }
    // 1. from, an 8-byte seqno and a signature are required.
    if (!m.hasFrom() || !m.hasSignature() || !m.hasSeqno() || m.getSeqno().size() != SEQNO_BYTES) {
      return Optional.of(GossipErrorCode.MISSING_SIGNATURE_FIELDS);
    }
    PeerId from;
    try {
      from = PeerId.fromBytes(m.getFrom().toByteArray());
    } catch (MalformedFrameException e) {
      return Optional.of(GossipErrorCode.MISSING_SIGNATURE_FIELDS);
    }
    // 2. The key: from the key field (which must match from) or inlined in from. RSA IDs are
    // hashes, so an RSA author must send its key (go and js do).
    PubKey key;
    if (m.hasKey()) {
      try {
        key = PubKey.decode(m.getKey().toByteArray());
      } catch (MalformedFrameException e) {
        return Optional.of(GossipErrorCode.KEY_MISMATCH);
      }
      if (!PeerId.fromPubKey(key).equals(from)) {
        return Optional.of(GossipErrorCode.KEY_MISMATCH);
      }
    } else {
      Optional<PubKey> inlined = from.pubKey();
      if (inlined.isEmpty()) {
        return Optional.of(GossipErrorCode.KEY_MISMATCH);
      }
      key = inlined.get();
    }
    // 3. The signature over the canonical form.
    boolean ok = key.verify(signedBytes(m), m.getSignature().toByteArray());
    return ok ? Optional.empty() : Optional.of(GossipErrorCode.INVALID_SIGNATURE);
  }

  /** The 8-byte big-endian seqno field for {@code seqno}. */
  public static ByteString seqnoBytes(long seqno) {
    byte[] b = new byte[SEQNO_BYTES];
    for (int i = 0; i < SEQNO_BYTES; i++) {
      b[i] = (byte) (seqno >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  /** The seqno of a message with an 8-byte seqno field. */
  public static long seqnoValue(ByteString seqno) {
    long v = 0;
    for (int i = 0; i < SEQNO_BYTES; i++) {
      v = (v << 8) | (seqno.byteAt(i) & 0xff);
    }
    return v;
  }
}
