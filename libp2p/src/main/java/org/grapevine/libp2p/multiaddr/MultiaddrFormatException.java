package org.grapevine.libp2p.multiaddr;

import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;

/**
 * A multiaddr that cannot be parsed, from text or binary. It is a {@link MalformedFrameException}
 * so that adapters decoding peers' addresses (identify, relay) handle it with every other bad
 * frame; for text from configuration the message says what to fix.
 */
public final class MultiaddrFormatException extends MalformedFrameException {
  private static final long serialVersionUID = 1L;

  public MultiaddrFormatException(FrameError code, String message) {
    super(code, message);
  }
}
