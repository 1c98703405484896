package org.grapevine.libp2p.identify;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Identify;

/**
 * Encodes and checks identify messages (libp2p/specs identify/README.md). Checks follow what
 * js-libp2p enforces, so that a message we accept is one every implementation would.
 */
public final class IdentifyCodec {
  /** js-libp2p's MAX_IDENTIFY_MESSAGE_SIZE. */
  public static final int MAX_MESSAGE_BYTES = 8 * 1024;

  static final int MAX_ADDRS = 64;
  static final int MAX_PROTOCOLS = 256;
  static final int MAX_PROTOCOL_CHARS = 1024;

  private IdentifyCodec() {}

  public static byte[] encode(IdentifyInfo info, byte[] observedAddr) {
    Identify.Builder b =
        Identify.newBuilder()
            .setProtocolVersion(info.protocolVersion())
            .setAgentVersion(info.agentVersion())
            .setPublicKey(ByteString.copyFrom(info.publicKey().encode()))
            .addAllProtocols(info.protocols());
    for (byte[] a : info.listenAddrs()) {
      b.addListenAddrs(ByteString.copyFrom(a));
    }
    if (observedAddr != null && observedAddr.length > 0) {
      b.setObservedAddr(ByteString.copyFrom(observedAddr));
    }
    return b.build().toByteArray();
  }

  /**
   * Decodes and checks a message from {@code expectedPeer}: the public key must be present and be
   * the one the connection authenticated, and it must not claim to be us.
   */
  public static IdentifyResult decode(byte[] bytes, PeerId expectedPeer, PeerId self)
      throws MalformedFrameException {
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "identify message of " + bytes.length + " bytes, at most " + MAX_MESSAGE_BYTES);
    }
    Identify m;
    try {
      m = Identify.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "identify message does not decode: " + e.getMessage(), e);
    }
    if (!m.hasPublicKey()) {
      throw new MalformedFrameException(
          FrameError.MISSING_FIELD, "identify message without a public key");
    }
    PubKey key = PubKey.decode(m.getPublicKey().toByteArray());
    PeerId peer = PeerId.fromPubKey(key);
    if (!peer.equals(expectedPeer)) {
      throw new MalformedFrameException(
          FrameError.WRONG_IDENTITY,
          "identify public key belongs to "
              + peer
              + ", not to the connection's peer "
              + expectedPeer);
    }
    if (peer.equals(self)) {
      throw new MalformedFrameException(
          FrameError.WRONG_IDENTITY, "identify message claims our own peer ID");
    }
    if (m.getListenAddrsCount() > MAX_ADDRS || m.getProtocolsCount() > MAX_PROTOCOLS) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "identify lists "
              + m.getListenAddrsCount()
              + " addresses and "
              + m.getProtocolsCount()
              + " protocols, at most "
              + MAX_ADDRS
              + " and "
              + MAX_PROTOCOLS);
    }
    List<byte[]> addrs = new ArrayList<>(m.getListenAddrsCount());
    for (ByteString a : m.getListenAddrsList()) {
      addrs.add(a.toByteArray());
    }
    for (String p : m.getProtocolsList()) {
      if (p.length() > MAX_PROTOCOL_CHARS) {
        throw new MalformedFrameException(
            FrameError.TOO_LARGE, "identify lists a protocol id of " + p.length() + " characters");
      }
    }
    return new IdentifyResult(
        peer,
        key,
        m.getProtocolVersion(),
        m.getAgentVersion(),
        List.copyOf(addrs),
        m.getObservedAddr().toByteArray(),
        List.copyOf(m.getProtocolsList()));
  }
}
