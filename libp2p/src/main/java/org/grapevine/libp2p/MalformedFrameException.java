package org.grapevine.libp2p;

/**
 * Bytes from a peer that break a wire format: a decoder's one checked failure (cf. Netty's
 * {@code CorruptedFrameException}). The remote peer is at fault; adapters catch it, log it with
 * the peer id, and close the stream or connection. Never thrown for our own mistakes.
 */
public class MalformedFrameException extends Exception {
  public MalformedFrameException(String message) {
    super(message);
  }

  public MalformedFrameException(String message, Throwable cause) {
    super(message, cause);
  }
}
