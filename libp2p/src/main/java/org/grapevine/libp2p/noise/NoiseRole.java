package org.grapevine.libp2p.noise;

/** Which side of the XX handshake we play: the dialer initiates, the listener responds. */
public enum NoiseRole {
  INITIATOR,
  RESPONDER
}
