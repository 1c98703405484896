package org.grapevine.libp2p.yamux;

/**
 * The header flag bits (yamux/README.md "Flag Field"). SYN, ACK, FIN and RST may ride on both Data
 * and WindowUpdate frames (py-libp2p broke interop by accepting them on one type only: libp2p-notes
 * §8.1); on Ping, SYN is the request and ACK the response.
 */
public final class YamuxFlags {
  /** Opens a stream, or asks for a ping response. */
  public static final int SYN = 0x1;

  /** Acknowledges a stream opening, or answers a ping. */
  public static final int ACK = 0x2;

  /** Half-closes the sender's direction of a stream. */
  public static final int FIN = 0x4;

  /** Resets a stream in both directions. */
  public static final int RST = 0x8;

  private YamuxFlags() {}

  public static boolean has(int flags, int flag) {
    return (flags & flag) != 0;
  }
}
