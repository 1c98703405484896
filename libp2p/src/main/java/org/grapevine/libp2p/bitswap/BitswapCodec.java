package org.grapevine.libp2p.bitswap;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.proto.bitswap.Message;

/**
 * Encodes and decodes Bitswap 1.2.0 message bodies (ipfs/specs bitswap-protocol.md). On the stream
 * every message is {@code uvarint(len) || Message}; the adapter splits frames and hands bodies
 * here.
 *
 * <pre>
 * frame   = uvarint(len) || Message                       len &lt;= 4 MiB
 * Message = wantlist{entries[{block: CID, priority, cancel, wantType, sendDontHave}], full}
 *           payload[{prefix: v || codec || mh-type || mh-len, data}]   (blocks: 1.0.0, refused)
 *           blockPresences[{cid: CID, type: Have | DontHave}]
 *           pendingBytes
 * CID     = uvarint(1) || uvarint(codec) || uvarint(0x12) || uvarint(32) || sha2-256 digest
 * </pre>
 *
 * Buffers: {@link #decode} copies what it keeps out of the array it is given; the caller keeps the
 * array. {@link #encode} returns a new array.
 *
 * <p>Decoding checks, before anything is kept: the body is at most {@link
 * BitswapLimits#maxMessageBytes} ({@link BitswapError#TOO_LARGE}); it parses ({@link
 * BitswapError#MALFORMED}, also for enum values the spec does not define and for the 1.0.0 {@code
 * blocks} field, whose blocks are named by CIDv0 we cannot serve); every block's data is at most
 * {@link BitswapLimits#maxBlockBytes} ({@link BitswapError#TOO_LARGE}); every CID and prefix parses
 * ({@link BitswapError#BAD_CID}). Entries, presences and payloads with a well-formed CID of a kind
 * we do not serve (CIDv0, other hashes) are skipped and counted in {@link BitswapMessage#skipped}:
 * a go or js peer may well want such blocks from us, which is no fault.
 */
public final class BitswapCodec {
  /** Upper bound of a message's own framing: the wantlist header, full, pendingBytes. */
  static final int MESSAGE_BYTES = 16;

  private final BitswapLimits limits;

  public BitswapCodec(BitswapLimits limits) {
    this.limits = limits;
  }

  public BitswapLimits limits() {
    return limits;
  }

  /** Upper bound of the bytes a wantlist entry for {@code cid} takes in a message. */
  static int entryBytes(Cid cid) {
    return cid.length() + 20;
  }

  /** Upper bound of the bytes a presence for {@code cid} takes in a message. */
  static int presenceBytes(Cid cid) {
    return cid.length() + 10;
  }

  /** Upper bound of the bytes a payload of {@code dataBytes} takes in a message. */
  static int blockBytes(int dataBytes) {
    return dataBytes + CidPrefix.MAX_BYTES + 16;
  }

  public byte[] encode(BitswapMessage m) {
    Message.Builder b = Message.newBuilder();
    if (!m.wants().isEmpty() || m.full()) {
      Message.Wantlist.Builder w = Message.Wantlist.newBuilder().setFull(m.full());
      for (WantEntry e : m.wants()) {
        w.addEntries(
            Message.Wantlist.Entry.newBuilder()
                .setBlock(ByteString.copyFrom(e.cid().bytes()))
                .setPriority(e.priority())
                .setCancel(e.cancel())
                .setWantType(
                    e.type() == WantType.HAVE
                        ? Message.Wantlist.WantType.Have
                        : Message.Wantlist.WantType.Block)
                .setSendDontHave(e.sendDontHave()));
      }
      b.setWantlist(w);
    }
    for (BlockPayload p : m.blocks()) {
      b.addPayload(
          Message.Block.newBuilder()
              .setPrefix(ByteString.copyFrom(p.prefix().encode()))
              .setData(ByteString.copyFrom(p.data())));
    }
    for (BlockPresence p : m.presences()) {
      b.addBlockPresences(
          Message.BlockPresence.newBuilder()
              .setCid(ByteString.copyFrom(p.cid().bytes()))
              .setType(
                  p.type() == PresenceType.HAVE
                      ? Message.BlockPresenceType.Have
                      : Message.BlockPresenceType.DontHave));
    }
    b.setPendingBytes(m.pendingBytes());
    return b.build().toByteArray();
  }

  public BitswapMessage decode(byte[] body) throws BitswapException {
    if (body.length > limits.maxMessageBytes()) {
      throw new BitswapException(
          BitswapError.TOO_LARGE,
          "message of " + body.length + " bytes, limit " + limits.maxMessageBytes());
    }
    Message m;
    try {
      CodedInputStream in = CodedInputStream.newInstance(body);
      in.setSizeLimit(limits.maxMessageBytes());
      in.setRecursionLimit(8);
      m = Message.parseFrom(in);
      in.checkLastTagWas(0);
    } catch (IOException e) { // InvalidProtocolBufferException included
      throw new BitswapException(
          BitswapError.MALFORMED, "Bitswap message does not decode: " + e.getMessage(), e);
    }
    if (m.getBlocksCount() > 0) {
      throw new BitswapException(
          BitswapError.MALFORMED, "the 1.0.0 blocks field in a 1.2.0 message");
    }
    int skipped = 0;
    List<WantEntry> wants = new ArrayList<>(m.getWantlist().getEntriesCount());
    for (Message.Wantlist.Entry e : m.getWantlist().getEntriesList()) {
      Cid cid = cidOrNull(e.getBlock());
      if (cid == null) {
        skipped++;
        continue;
      }
      WantType type =
          switch (e.getWantTypeValue()) {
            case 0 -> WantType.BLOCK;
            case 1 -> WantType.HAVE;
            default ->
                throw new BitswapException(
                    BitswapError.MALFORMED, "want type " + e.getWantTypeValue());
          };
      wants.add(new WantEntry(cid, e.getPriority(), e.getCancel(), type, e.getSendDontHave()));
    }
    List<BlockPayload> blocks = new ArrayList<>(m.getPayloadCount());
    for (Message.Block p : m.getPayloadList()) {
      if (p.getData().size() > limits.maxBlockBytes()) {
        throw new BitswapException(
            BitswapError.TOO_LARGE,
            "block of " + p.getData().size() + " bytes, limit " + limits.maxBlockBytes());
      }
      CidPrefix prefix;
      try {
        prefix = CidPrefix.decode(p.getPrefix().toByteArray());
      } catch (BitswapException e) {
        if (e.code() != BitswapError.UNSUPPORTED_CID) {
          throw e;
        }
        skipped++;
        continue;
      }
      blocks.add(new BlockPayload(prefix, p.getData().toByteArray()));
    }
    List<BlockPresence> presences = new ArrayList<>(m.getBlockPresencesCount());
    for (Message.BlockPresence p : m.getBlockPresencesList()) {
      Cid cid = cidOrNull(p.getCid());
      if (cid == null) {
        skipped++;
        continue;
      }
      PresenceType type =
          switch (p.getTypeValue()) {
            case 0 -> PresenceType.HAVE;
            case 1 -> PresenceType.DONT_HAVE;
            default ->
                throw new BitswapException(
                    BitswapError.MALFORMED, "block presence type " + p.getTypeValue());
          };
      presences.add(new BlockPresence(cid, type));
    }
    // Informative only; a negative count is meaningless rather than hostile.
    int pending = Math.max(0, m.getPendingBytes());
    return new BitswapMessage(
        wants, m.getWantlist().getFull(), blocks, presences, pending, skipped);
  }

  /** The CID, or null for a well-formed one we do not serve; throws for bytes that do not parse. */
  private static Cid cidOrNull(ByteString bytes) throws BitswapException {
    try {
      return Cid.parse(bytes.toByteArray());
    } catch (BitswapException e) {
      if (e.code() == BitswapError.UNSUPPORTED_CID) {
        return null;
      }
      throw e;
    }
  }
}
