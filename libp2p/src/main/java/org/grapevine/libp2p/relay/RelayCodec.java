package org.grapevine.libp2p.relay;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.circuit.Limit;
import org.grapevine.libp2p.proto.circuit.Peer;
import org.grapevine.libp2p.proto.circuit.Reservation;

/**
 * Encodes and decodes hop and stop messages (circuit-v2.md, "Protobuf"). On the stream each message
 * is {@code uvarint(len) || body}:
 *
 * <pre>
 *   +----------------+---------------------------------------------+
 *   | uvarint len    | HopMessage or StopMessage (len bytes)        |
 *   +----------------+---------------------------------------------+
 * </pre>
 *
 * <p>Limits: a body of at most {@link #MAX_MESSAGE_BYTES} (refused from the length prefix, before
 * anything is buffered), {@link #MAX_ADDRS} addresses per peer or reservation. An address we cannot
 * read (a transport we do not know) is skipped; a peer ID that does not decode makes the message
 * malformed. Rules per type: CONNECT needs a peer; STATUS needs a defined status other than UNUSED.
 * Every failure is a {@link MalformedFrameException}; the adapter answers it with {@link
 * RelayStatus#MALFORMED_MESSAGE} and closes the stream.
 *
 * <p>Buffers: {@link #readBody} consumes from the caller's buffer and never releases it.
 */
public final class RelayCodec {
  /** The spec's (and go's) cap for one relay message. */
  public static final int MAX_MESSAGE_BYTES = 4096;

  public static final int MAX_ADDRS = 32;

  private RelayCodec() {}

  // --- Framing
  // ------------------------------------------------------------------------------------

  /**
   * The next complete body of {@code in} (consumed), or empty when more bytes are needed (reader
   * index untouched).
   *
   * @throws MalformedFrameException TOO_LARGE from the length prefix alone, or BAD_VARINT
   */
  public static Optional<byte[]> readBody(ByteBuf in) throws MalformedFrameException {
    int start = in.readerIndex();
    long len = Varint.read(in, MAX_MESSAGE_BYTES);
    if (len < 0 || in.readableBytes() < len) {
      in.readerIndex(start);
      return Optional.empty();
    }
    byte[] body = new byte[(int) len];
    in.readBytes(body);
    return Optional.of(body);
  }

  /** {@code uvarint(len) || body}. */
  public static byte[] frame(byte[] body) {
    byte[] len = Varint.encode(body.length);
    byte[] out = new byte[len.length + body.length];
    System.arraycopy(len, 0, out, 0, len.length);
    System.arraycopy(body, 0, out, len.length, body.length);
    return out;
  }

  // --- Hop
  // ----------------------------------------------------------------------------------------

  public static byte[] encode(HopMessage m) {
    org.grapevine.libp2p.proto.circuit.HopMessage.Builder b =
        org.grapevine.libp2p.proto.circuit.HopMessage.newBuilder().setTypeValue(hopWire(m.type()));
    m.peer().ifPresent(p -> b.setPeer(peer(p)));
    m.reservation().ifPresent(r -> b.setReservation(reservation(r)));
    m.limit().ifPresent(l -> b.setLimit(limit(l)));
    m.status().ifPresent(s -> b.setStatusValue(s.wire()));
    return b.build().toByteArray();
  }

  public static HopMessage decodeHop(byte[] body) throws MalformedFrameException {
    checkSize(body.length);
    org.grapevine.libp2p.proto.circuit.HopMessage m;
    try {
      m = org.grapevine.libp2p.proto.circuit.HopMessage.parseFrom(input(body));
    } catch (IOException e) {
      throw malformed("hop message does not decode: " + e.getMessage(), e);
    }
    if (!m.hasType()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "hop message without a type");
    }
    HopMessage.Type type = hopType(m.getTypeValue());
    Optional<RelayPeer> peer = m.hasPeer() ? Optional.of(peer(m.getPeer())) : Optional.empty();
    if (type == HopMessage.Type.CONNECT && peer.isEmpty()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "hop CONNECT without a peer");
    }
    Optional<RelayStatus> status = status(m.hasStatus(), m.getStatusValue(), "hop");
    if (type == HopMessage.Type.STATUS && status.isEmpty()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "hop STATUS without a status");
    }
    return new HopMessage(
        type,
        peer,
        m.hasReservation() ? Optional.of(reservation(m.getReservation())) : Optional.empty(),
        m.hasLimit() ? Optional.of(limit(m.getLimit())) : Optional.empty(),
        status);
  }

  // --- Stop
  // ---------------------------------------------------------------------------------------

  public static byte[] encode(StopMessage m) {
    org.grapevine.libp2p.proto.circuit.StopMessage.Builder b =
        org.grapevine.libp2p.proto.circuit.StopMessage.newBuilder()
            .setTypeValue(m.type() == StopMessage.Type.CONNECT ? 0 : 1);
    m.peer().ifPresent(p -> b.setPeer(peer(p)));
    m.limit().ifPresent(l -> b.setLimit(limit(l)));
    m.status().ifPresent(s -> b.setStatusValue(s.wire()));
    return b.build().toByteArray();
  }

  public static StopMessage decodeStop(byte[] body) throws MalformedFrameException {
    checkSize(body.length);
    org.grapevine.libp2p.proto.circuit.StopMessage m;
    try {
      m = org.grapevine.libp2p.proto.circuit.StopMessage.parseFrom(input(body));
    } catch (IOException e) {
      throw malformed("stop message does not decode: " + e.getMessage(), e);
    }
    if (!m.hasType()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "stop message without a type");
    }
    StopMessage.Type type;
    switch (m.getTypeValue()) {
      case 0 -> type = StopMessage.Type.CONNECT;
      case 1 -> type = StopMessage.Type.STATUS;
      default ->
          throw new MalformedFrameException(
              FrameError.UNSUPPORTED, "stop message of unknown type " + m.getTypeValue());
    }
    Optional<RelayPeer> peer = m.hasPeer() ? Optional.of(peer(m.getPeer())) : Optional.empty();
    if (type == StopMessage.Type.CONNECT && peer.isEmpty()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "stop CONNECT without a peer");
    }
    Optional<RelayStatus> status = status(m.hasStatus(), m.getStatusValue(), "stop");
    if (type == StopMessage.Type.STATUS && status.isEmpty()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "stop STATUS without a status");
    }
    return new StopMessage(
        type, peer, m.hasLimit() ? Optional.of(limit(m.getLimit())) : Optional.empty(), status);
  }

  // --- Parts
  // --------------------------------------------------------------------------------------

  private static CodedInputStream input(byte[] body) {
    CodedInputStream in = CodedInputStream.newInstance(body);
    in.setSizeLimit(MAX_MESSAGE_BYTES);
    in.setRecursionLimit(4);
    return in;
  }

  private static int hopWire(HopMessage.Type type) {
    return switch (type) {
      case RESERVE -> 0;
      case CONNECT -> 1;
      case STATUS -> 2;
    };
  }

  private static HopMessage.Type hopType(int wire) throws MalformedFrameException {
    return switch (wire) {
      case 0 -> HopMessage.Type.RESERVE;
      case 1 -> HopMessage.Type.CONNECT;
      case 2 -> HopMessage.Type.STATUS;
      default ->
          throw new MalformedFrameException(
              FrameError.UNSUPPORTED, "hop message of unknown type " + wire);
    };
  }

  private static Optional<RelayStatus> status(boolean present, int wire, String which)
      throws MalformedFrameException {
    if (!present) {
      return Optional.empty();
    }
    Optional<RelayStatus> s = RelayStatus.fromWire(wire);
    if (s.isEmpty()) {
      throw new MalformedFrameException(
          FrameError.UNSUPPORTED, which + " message with undefined status " + wire);
    }
    return s;
  }

  private static RelayPeer peer(Peer p) throws MalformedFrameException {
    if (!p.hasId()) {
      throw new MalformedFrameException(FrameError.MISSING_FIELD, "relay peer without an id");
    }
    return new RelayPeer(PeerId.fromBytes(p.getId().toByteArray()), addrs(p.getAddrsList()));
  }

  private static RelayReservation reservation(Reservation r) throws MalformedFrameException {
    return new RelayReservation(
        r.getExpire(),
        addrs(r.getAddrsList()),
        r.hasVoucher() ? Optional.of(r.getVoucher().toByteArray()) : Optional.empty());
  }

  private static RelayLimit limit(Limit l) {
    return new RelayLimit(Integer.toUnsignedLong(l.getDuration()), Math.max(0, l.getData()));
  }

  private static List<Multiaddr> addrs(List<ByteString> wire) throws MalformedFrameException {
    if (wire.size() > MAX_ADDRS) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          wire.size() + " addresses in a relay message, at most " + MAX_ADDRS);
    }
    List<Multiaddr> out = new ArrayList<>(wire.size());
    for (ByteString a : wire) {
      try {
        out.add(Multiaddr.decode(a.toByteArray()));
      } catch (MalformedFrameException e) {
        // A transport we do not know (e.g. QUIC, WebRTC) is no reason to refuse the message.
      }
    }
    return out;
  }

  private static Peer peer(RelayPeer p) {
    Peer.Builder b = Peer.newBuilder().setId(ByteString.copyFrom(p.id().toBytes()));
    p.addrs().forEach(a -> b.addAddrs(ByteString.copyFrom(a.encode())));
    return b.build();
  }

  private static Reservation reservation(RelayReservation r) {
    Reservation.Builder b = Reservation.newBuilder().setExpire(r.expireUnixSeconds());
    r.addrs().forEach(a -> b.addAddrs(ByteString.copyFrom(a.encode())));
    r.voucher().ifPresent(v -> b.setVoucher(ByteString.copyFrom(v)));
    return b.build();
  }

  private static Limit limit(RelayLimit l) {
    Limit.Builder b = Limit.newBuilder();
    if (l.durationSeconds() > 0) {
      b.setDuration((int) l.durationSeconds());
    }
    if (l.dataBytes() > 0) {
      b.setData(l.dataBytes());
    }
    return b.build();
  }

  private static void checkSize(int len) throws MalformedFrameException {
    if (len > MAX_MESSAGE_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE, "relay message of " + len + " bytes, at most " + MAX_MESSAGE_BYTES);
    }
  }

  private static MalformedFrameException malformed(String detail, Throwable cause) {
    return new MalformedFrameException(FrameError.BAD_ENCODING, detail, cause);
  }
}
