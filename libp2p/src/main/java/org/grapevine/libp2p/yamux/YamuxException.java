package org.grapevine.libp2p.yamux;

import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;

/**
 * Bytes from the peer that break yamux framing. Carries the GoAway code to send back, as Netty's
 * {@code Http2Exception} carries an {@code Http2Error}.
 */
public final class YamuxException extends MalformedFrameException {
  private static final long serialVersionUID = 1L;

  private final YamuxErrorCode errorCode;

  public YamuxException(YamuxErrorCode errorCode, FrameError frameError, String message) {
    super(frameError, message);
    this.errorCode = errorCode;
  }

  public YamuxErrorCode errorCode() {
    return errorCode;
  }
}
