package org.grapevine.libp2p.pnet;

/** A pnet connection that cannot go on; the remote peer is at fault (it is too slow or silent). */
public final class PnetException extends Exception {
  private static final long serialVersionUID = 1L;

  private final PnetErrorCode code;

  public PnetException(PnetErrorCode code, String detail) {
    super(code + ": " + detail);
    this.code = code;
  }

  public PnetErrorCode code() {
    return code;
  }
}
