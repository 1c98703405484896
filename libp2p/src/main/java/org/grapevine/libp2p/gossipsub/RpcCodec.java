package org.grapevine.libp2p.gossipsub;

import com.google.protobuf.CodedInputStream;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.proto.ControlIHave;
import org.grapevine.libp2p.proto.ControlMessage;
import org.grapevine.libp2p.proto.ControlPrune;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;

/**
 * Encodes and decodes pubsub RPC bodies (pubsub/README.md). On the stream each RPC is {@code
 * uvarint(len) || RPC}; the adapter splits frames with {@link #readLength} and hands the body here.
 *
 * <p>Limits: the body size ({@link #maxRpcBytes}, default 1 MiB, the spec's suggested message
 * ceiling) bounds memory before parsing; after parsing, per-RPC counts are capped as js-libp2p does
 * (5000 subscriptions, messages, IHAVE ids, IWANT ids and control entries; 512 IDONTWANT ids; 16
 * PeerInfos per PRUNE) so that one RPC cannot make the router do unbounded work. A message without
 * a topic is malformed (the spec marks {@code topic} required).
 */
public final class RpcCodec {
  public static final int DEFAULT_MAX_RPC_BYTES = 1 << 20;
  public static final int MAX_SUBSCRIPTIONS = 5000;
  public static final int MAX_MESSAGES = 5000;
  public static final int MAX_IHAVE_IDS = 5000;
  public static final int MAX_IWANT_IDS = 5000;
  public static final int MAX_CONTROL_ENTRIES = 5000;
  public static final int MAX_IDONTWANT_IDS = 512;
  public static final int MAX_PEER_INFOS = 16;

  private final int maxRpcBytes;

  public RpcCodec() {
    this(DEFAULT_MAX_RPC_BYTES);
  }

  public RpcCodec(int maxRpcBytes) {
    if (maxRpcBytes < 64) {
      throw new IllegalArgumentException("maxRpcBytes must be at least 64, got " + maxRpcBytes);
    }
    this.maxRpcBytes = maxRpcBytes;
  }

  public int maxRpcBytes() {
    return maxRpcBytes;
  }

  public byte[] encode(Rpc rpc) {
    return rpc.proto().toByteArray();
  }

  /** Writes {@code uvarint(len) || RPC} to {@code out}. */
  public void encodeDelimited(Rpc rpc, ByteBuf out) {
    byte[] body = encode(rpc);
    Varint.write(out, body.length);
    out.writeBytes(body);
  }

  /**
   * Reads a frame's length prefix; returns -1 (reader index untouched) when the prefix is not
   * complete yet.
   */
  public int readLength(ByteBuf in) throws MalformedFrameException {
    return (int) Varint.read(in, maxRpcBytes);
  }

  /** Decodes one RPC body of {@code in.readableBytes()} bytes, consuming them. */
  public Rpc decode(ByteBuf in) throws MalformedFrameException {
    int len = in.readableBytes();
    checkSize(len);
    byte[] bytes = new byte[len];
    in.readBytes(bytes);
    return decode(bytes);
  }

  public Rpc decode(byte[] body) throws MalformedFrameException {
    checkSize(body.length);
    RPC rpc;
    try {
      CodedInputStream cis = CodedInputStream.newInstance(body);
      cis.setSizeLimit(maxRpcBytes);
      cis.setRecursionLimit(16);
      rpc = RPC.parseFrom(cis);
      cis.checkLastTagWas(0);
    } catch (IOException e) { // InvalidProtocolBufferException included
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "RPC does not decode: " + e.getMessage(), e);
    }
    checkCounts(rpc);
    return Rpc.of(rpc);
  }

  private void checkSize(int len) throws MalformedFrameException {
    if (len > maxRpcBytes) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE, "RPC of " + len + " bytes, at most " + maxRpcBytes);
    }
  }

  private static void checkCounts(RPC rpc) throws MalformedFrameException {
    cap("subscriptions", rpc.getSubscriptionsCount(), MAX_SUBSCRIPTIONS);
    cap("messages", rpc.getPublishCount(), MAX_MESSAGES);
    for (Message m : rpc.getPublishList()) {
      if (!m.hasTopic()) {
        throw new MalformedFrameException(FrameError.MISSING_FIELD, "message without a topic");
      }
    }
    if (!rpc.hasControl()) {
      return;
    }
    ControlMessage c = rpc.getControl();
    cap(
        "control entries",
        c.getIhaveCount() + c.getIwantCount() + c.getGraftCount() + c.getPruneCount(),
        MAX_CONTROL_ENTRIES);
    long ihaveIds = 0;
    for (ControlIHave ih : c.getIhaveList()) {
      ihaveIds += ih.getMessageIDsCount();
    }
    cap("IHAVE ids", ihaveIds, MAX_IHAVE_IDS);
    long iwantIds = c.getIwantList().stream().mapToLong(w -> w.getMessageIDsCount()).sum();
    cap("IWANT ids", iwantIds, MAX_IWANT_IDS);
    long idontwantIds = c.getIdontwantList().stream().mapToLong(w -> w.getMessageIDsCount()).sum();
    cap("IDONTWANT ids", idontwantIds, MAX_IDONTWANT_IDS);
    for (ControlPrune p : c.getPruneList()) {
      cap("PeerInfos in a PRUNE", p.getPeersCount(), MAX_PEER_INFOS);
    }
  }

  private static void cap(String what, long count, long max) throws MalformedFrameException {
    if (count > max) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE, "RPC carries " + count + " " + what + ", at most " + max);
    }
  }
}
