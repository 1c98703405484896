package org.grapevine.libp2p.autonat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialDataRequest;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialDataResponse;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialRequest;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialResponse;
import org.grapevine.libp2p.proto.autonat.v2.DialBack;
import org.grapevine.libp2p.proto.autonat.v2.DialBackResponse;
import org.grapevine.libp2p.proto.autonat.v2.Message;

/**
 * Encodes and decodes AutoNAT v2 bodies (autonat-v2.md "RPC Messages"). On both streams every
 * message is {@code uvarint(len) || body}; the adapter frames with a {@code DelimitedReader} of
 * {@link #MAX_MESSAGE_BYTES} (dial-request) or {@link #MAX_DIAL_BACK_BYTES} (dial-back).
 *
 * <pre>
 * dial-request:  client ── Message{dialRequest} ──────────────▶ server
 *                client ◀─ Message{dialDataRequest} ─────────── server   (only for another IP)
 *                client ── Message{dialDataResponse} × n ─────▶ server   (≤ 4096 B of data each)
 *                client ◀─ Message{dialResponse} ───────────── server, then both close
 * dial-back:     server ── DialBack{nonce} ──────────────────▶ client   (on a new connection)
 *                server ◀─ DialBackResponse{OK} ────────────── client, then the client closes
 * </pre>
 *
 * <p>Limits: a body of at most {@link #MAX_MESSAGE_BYTES} (8 KiB: a request of a dozen addresses,
 * or one data chunk, fits with room to spare), at most {@link #MAX_ADDRS} addresses, at most {@link
 * #MAX_DATA_CHUNK_BYTES} of data per chunk (the spec's limit), no message without its field set.
 * Unknown status values decode as {@code UNKNOWN} so that the client can discard the response, as
 * the spec requires, instead of failing the stream.
 */
public final class AutonatV2Codec {
  public static final int MAX_MESSAGE_BYTES = 8 << 10;
  public static final int MAX_DIAL_BACK_BYTES = 64;
  public static final int MAX_ADDRS = 32;
  public static final int MAX_DATA_CHUNK_BYTES = 4096;

  private AutonatV2Codec() {}

  public static byte[] encode(AutonatV2Message m) {
    Message.Builder b = Message.newBuilder();
    if (m instanceof DialRequest r) {
      var req = org.grapevine.libp2p.proto.autonat.v2.DialRequest.newBuilder().setNonce(r.nonce());
      r.addrs().forEach(a -> req.addAddrs(ByteString.copyFrom(a)));
      b.setDialRequest(req);
    } else if (m instanceof DialResponse r) {
      b.setDialResponse(
          org.grapevine.libp2p.proto.autonat.v2.DialResponse.newBuilder()
              .setStatusValue(r.status().wire())
              .setAddrIdx(r.addrIdx())
              .setDialStatusValue(r.dialStatus().wire()));
    } else if (m instanceof DialDataRequest r) {
      b.setDialDataRequest(
          org.grapevine.libp2p.proto.autonat.v2.DialDataRequest.newBuilder()
              .setAddrIdx(r.addrIdx())
              .setNumBytes(r.numBytes()));
    } else if (m instanceof DialDataResponse r) {
      b.setDialDataResponse(
          org.grapevine.libp2p.proto.autonat.v2.DialDataResponse.newBuilder()
              .setData(ByteString.copyFrom(new byte[r.dataBytes()])));
    }
    return b.build().toByteArray();
  }

  public static AutonatV2Message decode(byte[] body) throws MalformedFrameException {
    checkSize(body.length, MAX_MESSAGE_BYTES);
    Message m;
    try {
      m = Message.parseFrom(input(body, MAX_MESSAGE_BYTES));
    } catch (IOException e) {
      throw bad("AutoNAT v2 message", e);
    }
    return switch (m.getMsgCase()) {
      case DIALREQUEST -> dialRequest(m.getDialRequest());
      case DIALRESPONSE -> {
        var r = m.getDialResponse();
        yield new DialResponse(
            ResponseStatus.fromWire(r.getStatusValue()),
            r.getAddrIdx(),
            DialStatus.fromWire(r.getDialStatusValue()));
      }
      case DIALDATAREQUEST ->
          new DialDataRequest(
              m.getDialDataRequest().getAddrIdx(), m.getDialDataRequest().getNumBytes());
      case DIALDATARESPONSE -> dialData(m.getDialDataResponse().getData().size());
      default ->
          throw new MalformedFrameException(
              FrameError.MISSING_FIELD, "AutoNAT v2 message with none of its fields set");
    };
  }

  private static DialRequest dialRequest(org.grapevine.libp2p.proto.autonat.v2.DialRequest r)
      throws MalformedFrameException {
    if (r.getAddrsCount() > MAX_ADDRS) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "AutoNAT dial request of " + r.getAddrsCount() + " addresses, at most " + MAX_ADDRS);
    }
    List<byte[]> addrs = new ArrayList<>(r.getAddrsCount());
    r.getAddrsList().forEach(a -> addrs.add(a.toByteArray()));
    return new DialRequest(addrs, r.getNonce());
  }

  private static DialDataResponse dialData(int n) throws MalformedFrameException {
    if (n > MAX_DATA_CHUNK_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE,
          "AutoNAT dial data chunk of " + n + " bytes, at most " + MAX_DATA_CHUNK_BYTES);
    }
    return new DialDataResponse(n);
  }

  public static byte[] encodeDialBack(long nonce) {
    return DialBack.newBuilder().setNonce(nonce).build().toByteArray();
  }

  /** The nonce of a {@code DialBack}. */
  public static long decodeDialBack(byte[] body) throws MalformedFrameException {
    checkSize(body.length, MAX_DIAL_BACK_BYTES);
    try {
      return DialBack.parseFrom(input(body, MAX_DIAL_BACK_BYTES)).getNonce();
    } catch (IOException e) {
      throw bad("AutoNAT dial-back", e);
    }
  }

  public static byte[] encodeDialBackResponse() {
    return DialBackResponse.newBuilder()
        .setStatus(DialBackResponse.DialBackStatus.OK)
        .build()
        .toByteArray();
  }

  /** Whether a {@code DialBackResponse} says OK (the only status the spec defines). */
  public static boolean decodeDialBackResponse(byte[] body) throws MalformedFrameException {
    checkSize(body.length, MAX_DIAL_BACK_BYTES);
    try {
      return DialBackResponse.parseFrom(input(body, MAX_DIAL_BACK_BYTES)).getStatusValue() == 0;
    } catch (IOException e) {
      throw bad("AutoNAT dial-back response", e);
    }
  }

  private static CodedInputStream input(byte[] body, int limit) {
    CodedInputStream cis = CodedInputStream.newInstance(body);
    cis.setSizeLimit(limit);
    cis.setRecursionLimit(4);
    return cis;
  }

  private static void checkSize(int len, int max) throws MalformedFrameException {
    if (len > max) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE, "AutoNAT message of " + len + " bytes, at most " + max);
    }
  }

  private static MalformedFrameException bad(String what, IOException e) {
    return new MalformedFrameException(
        FrameError.BAD_ENCODING, what + " does not decode: " + e.getMessage(), e);
  }
}
