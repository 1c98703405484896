package org.grapevine.libp2p.yamux;

/** The frame types of yamux/README.md "Type Field". Never renumber: the codes are on the wire. */
public enum YamuxType {
  /** Carries {@code length} bytes of stream payload. */
  DATA(0),
  /** Adds {@code length} to the receiver's send window of a stream; no payload. */
  WINDOW_UPDATE(1),
  /** Keepalive / RTT probe on stream 0; {@code length} is an opaque value echoed in the ACK. */
  PING(2),
  /** Ends the session; {@code length} is a {@link YamuxErrorCode}. */
  GO_AWAY(3);

  private static final YamuxType[] BY_CODE = values();

  private final int code;

  YamuxType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type for a wire code, or {@code null} if the spec defines none. */
  public static YamuxType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
