package org.grapevine.libp2p.yamux;

/** GoAway codes (yamux/README.md "GoAway"). Never renumber: the codes are on the wire. */
public enum YamuxErrorCode {
  /** Orderly shutdown: no new streams, existing ones may finish. */
  NORMAL(0),
  /** The peer broke the protocol (bad version, window overrun, wrong stream id parity, ...). */
  PROTOCOL_ERROR(1),
  /** The sender failed on its own. */
  INTERNAL_ERROR(2);

  private final int code;

  YamuxErrorCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
