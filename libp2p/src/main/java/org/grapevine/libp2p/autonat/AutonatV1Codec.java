package org.grapevine.libp2p.autonat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.autonat.v1.Message;

/**
 * AutoNAT v1 bodies (autonat-v1.md "RPC messages", {@code /libp2p/autonat/1.0.0}), each
 * length-delimited on the stream: the client sends {@code Message{type=DIAL, dial}}, the server
 * answers {@code Message{type=DIAL_RESPONSE, dialResponse}}. We serve v1 for older peers; the
 * client side is here for tests and diagnostics.
 *
 * <p>Limits: a body of at most {@link #MAX_MESSAGE_BYTES}, at most {@link #MAX_ADDRS} addresses, a
 * status text of at most 256 characters. A DIAL without its peer info is {@code MISSING_FIELD}; a
 * peer id that does not decode is malformed.
 */
public final class AutonatV1Codec {
  public static final int MAX_MESSAGE_BYTES = 8 << 10;
  public static final int MAX_ADDRS = 32;
  private static final int MAX_TEXT_CHARS = 256;

  /** The v1 response statuses. */
  public enum Status {
    OK(0),
    E_DIAL_ERROR(100),
    E_DIAL_REFUSED(101),
    E_BAD_REQUEST(200),
    E_INTERNAL_ERROR(300);

    private final int wire;

    Status(int wire) {
      this.wire = wire;
    }
  }

  /** A DIAL request: the peer it claims to be (if given) and its addresses, binary. */
  public record Dial(Optional<PeerId> peer, List<byte[]> addrs) {
    public Dial {
      addrs = List.copyOf(addrs);
    }
  }

  /** A DIAL_RESPONSE; {@code addr} is the address dialled successfully (binary), if any. */
  public record Response(Status status, String statusText, Optional<byte[]> addr) {}

  private AutonatV1Codec() {}

  public static byte[] encodeDial(Dial d) {
    Message.PeerInfo.Builder p = Message.PeerInfo.newBuilder();
    d.peer().ifPresent(id -> p.setId(ByteString.copyFrom(id.toBytes())));
    d.addrs().forEach(a -> p.addAddrs(ByteString.copyFrom(a)));
    return Message.newBuilder()
        .setType(Message.MessageType.DIAL)
        .setDial(Message.Dial.newBuilder().setPeer(p))
        .build()
        .toByteArray();
  }

  public static byte[] encodeResponse(Response r) {
    Message.DialResponse.Builder b =
        Message.DialResponse.newBuilder()
            .setStatus(Message.ResponseStatus.forNumber(r.status().wire))
            .setStatusText(r.statusText());
    r.addr().ifPresent(a -> b.setAddr(ByteString.copyFrom(a)));
    return Message.newBuilder()
        .setType(Message.MessageType.DIAL_RESPONSE)
        .setDialResponse(b)
        .build()
        .toByteArray();
  }

  public static Dial decodeDial(byte[] body) throws MalformedFrameException {
    Message m = parse(body);
    if (m.getType() != Message.MessageType.DIAL || !m.hasDial() || !m.getDial().hasPeer()) {
      throw new MalformedFrameException(
          FrameError.MISSING_FIELD, "AutoNAT v1 message is not a DIAL with peer info");
    }
    Message.PeerInfo p = m.getDial().getPeer();
    if (p.getAddrsCount() > MAX_ADDRS) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "AutoNAT v1 DIAL of " + p.getAddrsCount() + " addresses, at most " + MAX_ADDRS);
    }
    Optional<PeerId> id =
        p.hasId() ? Optional.of(PeerId.fromBytes(p.getId().toByteArray())) : Optional.empty();
    List<byte[]> addrs = new ArrayList<>(p.getAddrsCount());
    p.getAddrsList().forEach(a -> addrs.add(a.toByteArray()));
    return new Dial(id, addrs);
  }

  public static Response decodeResponse(byte[] body) throws MalformedFrameException {
    Message m = parse(body);
    if (m.getType() != Message.MessageType.DIAL_RESPONSE || !m.hasDialResponse()) {
      throw new MalformedFrameException(
          FrameError.MISSING_FIELD, "AutoNAT v1 message is not a DIAL_RESPONSE");
    }
    Message.DialResponse r = m.getDialResponse();
    // proto2 enums are closed: an unknown status value lands in the unknown fields.
    if (!r.hasStatus()) {
      throw new MalformedFrameException(
          FrameError.UNSUPPORTED, "AutoNAT v1 response without a status we know");
    }
    Status status = Status.E_INTERNAL_ERROR;
    for (Status s : Status.values()) {
      if (s.wire == r.getStatus().getNumber()) {
        status = s;
      }
    }
    String text = r.getStatusText();
    if (text.length() > MAX_TEXT_CHARS) {
      text = text.substring(0, MAX_TEXT_CHARS);
    }
    return new Response(
        status, text, r.hasAddr() ? Optional.of(r.getAddr().toByteArray()) : Optional.empty());
  }

  private static Message parse(byte[] body) throws MalformedFrameException {
    if (body.length > MAX_MESSAGE_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "AutoNAT v1 message of " + body.length + " bytes, at most " + MAX_MESSAGE_BYTES);
    }
    try {
      CodedInputStream cis = CodedInputStream.newInstance(body);
      cis.setSizeLimit(MAX_MESSAGE_BYTES);
      cis.setRecursionLimit(4);
      return Message.parseFrom(cis);
    } catch (IOException e) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "AutoNAT v1 message does not decode: " + e.getMessage(), e);
    }
  }
}
