package org.grapevine.libp2p.kad;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.kad.Message;
import org.grapevine.libp2p.proto.kad.Record;

/**
 * Encodes and decodes Kademlia RPC bodies (kad-dht/README.md, "RPC messages"). On the stream every
 * message is {@code uvarint(len) || Message}; the adapter splits frames with {@link #readLength}
 * and hands the body here.
 *
 * <p>Limits, checked before anything is kept:
 *
 * <ul>
 *   <li>the body ({@link #maxMessageBytes}, 64 KiB by default: a FIND_NODE answer of 20 peers with
 *       ten addresses each is about 10 KiB, and GET_VALUE records of the namespaces we accept are
 *       smaller still), refused from the length prefix before any byte is buffered;
 *   <li>{@link #MAX_PEERS} closer and {@link #MAX_PEERS} provider peers (the spec answers with k =
 *       20; more is a peer making us work), {@link #MAX_ADDRS} addresses a peer, a key of {@link
 *       #MAX_KEY_BYTES}.
 * </ul>
 *
 * A peer ID that does not decode makes the whole message malformed (the sender vouches for the
 * peers it names); an address we cannot read (a transport we do not know) is skipped and counted in
 * {@link KadPeerInfo#skippedAddrs}. An unknown message type is {@link FrameError#UNSUPPORTED}.
 */
public final class KadCodec {
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 << 10;
  public static final int MAX_PEERS = 64;
  public static final int MAX_ADDRS = KadPeer.MAX_ADDRS;
  public static final int MAX_KEY_BYTES = 1024;

  private final int maxMessageBytes;

  public KadCodec() {
    this(DEFAULT_MAX_MESSAGE_BYTES);
  }

  public KadCodec(int maxMessageBytes) {
    if (maxMessageBytes < 256) {
      throw new IllegalArgumentException(
          "maxMessageBytes must be at least 256, got " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  public byte[] encode(KadMessage m) {
    Message.Builder b =
        Message.newBuilder().setTypeValue(m.type().wire()).setKey(ByteString.copyFrom(m.key()));
    m.optionalRecord()
        .ifPresent(
            r ->
                b.setRecord(
                    Record.newBuilder()
                        .setKey(ByteString.copyFrom(r.key()))
                        .setValue(ByteString.copyFrom(r.value()))
                        .setTimeReceived(r.timeReceived())));
    m.closerPeers().forEach(p -> b.addCloserPeers(peer(p)));
    m.providerPeers().forEach(p -> b.addProviderPeers(peer(p)));
    return b.build().toByteArray();
  }

  /** Writes {@code uvarint(len) || Message} to {@code out}. */
  public void encodeDelimited(KadMessage m, ByteBuf out) {
    byte[] body = encode(m);
    Varint.write(out, body.length);
    out.writeBytes(body);
  }

  /**
   * Reads a frame's length prefix; returns -1 (reader index untouched) when the prefix is not
   * complete yet.
   *
   * @throws MalformedFrameException {@link FrameError#TOO_LARGE} for a length over the limit
   */
  public int readLength(ByteBuf in) throws MalformedFrameException {
    return (int) Varint.read(in, maxMessageBytes);
  }

  /** Decodes one body of {@code in.readableBytes()} bytes, consuming them. */
  public KadMessage decode(ByteBuf in) throws MalformedFrameException {
    int len = in.readableBytes();
    checkSize(len);
    byte[] bytes = new byte[len];
    in.readBytes(bytes);
    return decode(bytes);
  }

  public KadMessage decode(byte[] body) throws MalformedFrameException {
    checkSize(body.length);
    Message m;
    try {
      CodedInputStream cis = CodedInputStream.newInstance(body);
      cis.setSizeLimit(maxMessageBytes);
      cis.setRecursionLimit(8);
      m = Message.parseFrom(cis);
      cis.checkLastTagWas(0);
    } catch (IOException e) { // InvalidProtocolBufferException included
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "Kademlia message does not decode: " + e.getMessage(), e);
    }
    cap("closer peers", m.getCloserPeersCount(), MAX_PEERS);
    cap("provider peers", m.getProviderPeersCount(), MAX_PEERS);
    cap("key bytes", m.getKey().size(), MAX_KEY_BYTES);
    return new KadMessage(
        type(m.getTypeValue()),
        m.getKey().toByteArray(),
        m.hasRecord()
            ? new KadRecord(
                m.getRecord().getKey().toByteArray(),
                m.getRecord().getValue().toByteArray(),
                m.getRecord().getTimeReceived())
            : null,
        peers(m.getCloserPeersList()),
        peers(m.getProviderPeersList()));
  }

  private void checkSize(int len) throws MalformedFrameException {
    if (len > maxMessageBytes) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "Kademlia message of " + len + " bytes, at most " + maxMessageBytes);
    }
  }

  private static KadMessageType type(int wire) throws MalformedFrameException {
    for (KadMessageType t : KadMessageType.values()) {
      if (t.wire() == wire) {
        return t;
      }
    }
    throw new MalformedFrameException(
        FrameError.UNSUPPORTED, "Kademlia message of unknown type " + wire);
  }

  private static List<KadPeerInfo> peers(List<Message.Peer> wire) throws MalformedFrameException {
    List<KadPeerInfo> out = new ArrayList<>(wire.size());
    for (Message.Peer p : wire) {
      cap("addresses of a peer", p.getAddrsCount(), MAX_ADDRS);
      PeerId id = PeerId.fromBytes(p.getId().toByteArray());
      List<Multiaddr> addrs = new ArrayList<>(p.getAddrsCount());
      int skipped = 0;
      for (ByteString a : p.getAddrsList()) {
        try {
          addrs.add(Multiaddr.decode(a.toByteArray()));
        } catch (MalformedFrameException e) {
          skipped++;
        }
      }
      out.add(new KadPeerInfo(id, addrs, KadConnection.fromWire(p.getConnectionValue()), skipped));
    }
    return out;
  }

  private static Message.Peer peer(KadPeerInfo p) {
    Message.Peer.Builder b =
        Message.Peer.newBuilder()
            .setId(ByteString.copyFrom(p.id().toBytes()))
            .setConnectionValue(p.connection().wire());
    p.addrs().forEach(a -> b.addAddrs(ByteString.copyFrom(a.encode())));
    return b.build();
  }

  private static void cap(String what, long count, long max) throws MalformedFrameException {
    if (count > max) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "Kademlia message carries " + count + " " + what + ", at most " + max);
    }
  }
}
