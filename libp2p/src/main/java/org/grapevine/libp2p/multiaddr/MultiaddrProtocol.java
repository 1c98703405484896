package org.grapevine.libp2p.multiaddr;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The multiaddr protocols this implementation understands, with their codes from the multiaddr
 * table (multiformats/multiaddr protocols.csv; libp2p-notes §3). Any other code or name is rejected
 * when parsing, as the spec requires.
 */
public enum MultiaddrProtocol {
  IP4(4, "ip4", 4),
  TCP(6, "tcp", 2),
  IP6(41, "ip6", 16),
  DNS(53, "dns", Kind.VARIABLE),
  DNS4(54, "dns4", Kind.VARIABLE),
  DNS6(55, "dns6", Kind.VARIABLE),
  DNSADDR(56, "dnsaddr", Kind.VARIABLE),
  UDP(273, "udp", 2),
  WEBRTC_DIRECT(280, "webrtc-direct", Kind.NONE),
  WEBRTC(281, "webrtc", Kind.NONE),
  P2P_CIRCUIT(290, "p2p-circuit", Kind.NONE),
  /**
   * Value: a peer ID's multihash; text base58btc (a CID is accepted). Legacy text name {@code
   * ipfs}.
   */
  P2P(421, "p2p", Kind.VARIABLE),
  TLS(448, "tls", Kind.NONE),
  NOISE(454, "noise", Kind.NONE),
  QUIC(460, "quic", Kind.NONE),
  QUIC_V1(461, "quic-v1", Kind.NONE),
  WEBTRANSPORT(465, "webtransport", Kind.NONE),
  WS(477, "ws", Kind.NONE),
  WSS(478, "wss", Kind.NONE),
  HTTP(480, "http", Kind.NONE);

  private enum Kind {
    NONE,
    FIXED,
    VARIABLE
  }

  private static final Map<Integer, MultiaddrProtocol> BY_CODE = new HashMap<>();
  private static final Map<String, MultiaddrProtocol> BY_NAME = new HashMap<>();

  static {
    for (MultiaddrProtocol p : values()) {
      BY_CODE.put(p.code, p);
      BY_NAME.put(p.text, p);
    }
    BY_NAME.put("ipfs", P2P);
  }

  private final int code;
  private final String text;
  private final Kind kind;
  private final int valueBytes;

  MultiaddrProtocol(int code, String text, int valueBytes) {
    this.code = code;
    this.text = text;
    this.kind = Kind.FIXED;
    this.valueBytes = valueBytes;
  }

  MultiaddrProtocol(int code, String text, Kind kind) {
    this.code = code;
    this.text = text;
    this.kind = kind;
    this.valueBytes = kind == Kind.NONE ? 0 : -1;
  }

  public int code() {
    return code;
  }

  /** The name in the text form (never the legacy {@code ipfs}). */
  public String text() {
    return text;
  }

  /**
   * Whether the protocol carries a value at all ({@code /tcp/4001}) or stands alone ({@code /ws}).
   */
  public boolean hasValue() {
    return kind != Kind.NONE;
  }

  /** Whether the binary value is length-prefixed rather than of fixed size. */
  public boolean isVariable() {
    return kind == Kind.VARIABLE;
  }

  /** The size of a fixed value in bytes, 0 for none, -1 for variable. */
  public int valueBytes() {
    return valueBytes;
  }

  public static Optional<MultiaddrProtocol> byCode(long code) {
    return code > Integer.MAX_VALUE
        ? Optional.empty()
        : Optional.ofNullable(BY_CODE.get((int) code));
  }

  /** Looks up a text name, including the legacy alias {@code ipfs} for {@link #P2P}. */
  public static Optional<MultiaddrProtocol> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }
}
