package org.grapevine.libp2p.dcutr;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.proto.HolePunch;

/**
 * Encodes and checks DCUtR messages (libp2p/specs relay/DCUtR.md, "RPC messages"). The spec's cap
 * is 4 KiB a message; a message without a type, or of a type the spec does not define, is refused.
 * Addresses that do not parse as multiaddrs are skipped and counted in {@link
 * HolePunchMessage#skippedAddrs}, not fatal: a peer may know transports we do not. At most {@link
 * #MAX_ADDRS} are read; the rest are skipped too.
 */
public final class HolePunchCodec {
  /** "Implementations SHOULD refuse encoded RPC messages ... larger than 4 KiB." */
  public static final int MAX_MESSAGE_BYTES = 4096;

  /** More observed addresses than any NAT gives one host; each one is a dial. */
  public static final int MAX_ADDRS = 16;

  private HolePunchCodec() {}

  public static byte[] encode(HolePunchMessage m) {
    HolePunch.Builder b =
        HolePunch.newBuilder()
            .setType(
                m.type() == HolePunchMessage.Type.CONNECT
                    ? HolePunch.Type.CONNECT
                    : HolePunch.Type.SYNC);
    for (Multiaddr a : m.addrs()) {
      b.addObsAddrs(ByteString.copyFrom(a.encode()));
    }
    byte[] out = b.build().toByteArray();
    if (out.length > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "hole punch message of " + out.length + " bytes, at most " + MAX_MESSAGE_BYTES);
    }
    return out;
  }

  public static HolePunchMessage decode(byte[] bytes) throws MalformedFrameException {
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "hole punch message of " + bytes.length + " bytes, at most " + MAX_MESSAGE_BYTES);
    }
    HolePunch m;
    try {
      m = HolePunch.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "hole punch message does not decode: " + e.getMessage(), e);
    }
    if (!m.hasType()) {
      // proto2 maps an unknown enum number to an unknown field, so this is also "no such type".
      throw new MalformedFrameException(
          FrameError.MISSING_FIELD, "hole punch message without a (known) type");
    }
    HolePunchMessage.Type type =
        m.getType() == HolePunch.Type.CONNECT
            ? HolePunchMessage.Type.CONNECT
            : HolePunchMessage.Type.SYNC;
    List<Multiaddr> addrs = new ArrayList<>();
    int skipped = 0;
    for (ByteString raw : m.getObsAddrsList()) {
      if (addrs.size() >= MAX_ADDRS) {
        skipped++;
        continue;
      }
      try {
        addrs.add(Multiaddr.decode(raw.toByteArray()));
      } catch (MultiaddrFormatException e) {
        skipped++;
      }
    }
    return new HolePunchMessage(type, addrs, skipped);
  }
}
