package org.grapevine.libp2p.pnet;

/** A swarm key file that cannot be used; the message says what is wrong (never the key itself). */
public final class SwarmKeyException extends Exception {
  public SwarmKeyException(String message) {
    super(message);
  }
}
