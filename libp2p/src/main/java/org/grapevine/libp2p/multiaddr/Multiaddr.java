package org.grapevine.libp2p.multiaddr;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A multiaddr (spec: multiformats/multiaddr README; libp2p-notes §3), e.g. {@code
 * /ip4/1.2.3.4/tcp/4001/p2p/12D3KooW...}. Immutable.
 *
 * <pre>
 * binary: ( uvarint(code) || value )*      value = fixed bytes | uvarint(len) || bytes | nothing
 * text:   ( "/" name [ "/" value ] )*
 * </pre>
 *
 * Only the protocols of {@link MultiaddrProtocol} are understood; others are rejected. Limits:
 * {@value #MAX_BYTES} bytes in binary, {@value #MAX_VALUE_BYTES} bytes per variable value. Text
 * output is canonical: {@code p2p} (never {@code ipfs}), base58 peer IDs, lower-case compressed
 * IPv6 (RFC 5952). Equality is on the binary form.
 */
public final class Multiaddr {
  public static final int MAX_BYTES = 1024;
  public static final int MAX_VALUE_BYTES = 256;

  /**
   * Text is at most a few times longer than binary (hex-ish digits, names); anything longer is
   * garbage.
   */
  private static final int MAX_TEXT_CHARS = 4 * MAX_BYTES;

  private final List<MultiaddrComponent> components;
  private final byte[] bytes;

  private Multiaddr(List<MultiaddrComponent> components, byte[] bytes) {
    this.components = components;
    this.bytes = bytes;
  }

  /**
   * Parses the text form; a trailing {@code /} is tolerated and {@code "/"} is the empty address.
   */
  public static Multiaddr parse(String text) throws MultiaddrFormatException {
    if (text.length() > MAX_TEXT_CHARS) {
      throw new MultiaddrFormatException(
          FrameError.TOO_LARGE, "multiaddr text longer than " + MAX_TEXT_CHARS + " characters");
    }
    if (!text.startsWith("/")) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING, "a multiaddr starts with '/': \"" + abbreviate(text) + "\"");
    }
    String[] parts = text.substring(1).split("/", -1);
    int end = parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
    List<MultiaddrComponent> components = new ArrayList<>();
    for (int i = 0; i < end; i++) {
      String name = parts[i];
      MultiaddrProtocol protocol =
          MultiaddrProtocol.byName(name)
              .orElseThrow(
                  () ->
                      new MultiaddrFormatException(
                          FrameError.UNSUPPORTED,
                          "unknown multiaddr protocol \""
                              + abbreviate(name)
                              + "\" in \""
                              + abbreviate(text)
                              + "\""));
      if (!protocol.hasValue()) {
        components.add(MultiaddrComponent.of(protocol));
        continue;
      }
      if (++i >= end) {
        throw new MultiaddrFormatException(
            FrameError.BAD_ENCODING, "/" + name + " needs a value in \"" + abbreviate(text) + "\"");
      }
      components.add(MultiaddrComponent.fromText(protocol, parts[i]));
    }
    return of(components);
  }

  /** Decodes the binary form, as peers send it (identify, relay, peer records). */
  public static Multiaddr decode(byte[] bytes) throws MultiaddrFormatException {
    if (bytes.length > MAX_BYTES) {
      throw new MultiaddrFormatException(
          FrameError.TOO_LARGE, "multiaddr of " + bytes.length + " bytes exceeds " + MAX_BYTES);
    }
    List<MultiaddrComponent> components = new ArrayList<>();
    int offset = 0;
    while (offset < bytes.length) {
      long[] code = varint(bytes, offset, Integer.MAX_VALUE);
      offset += (int) code[1];
      MultiaddrProtocol protocol =
          MultiaddrProtocol.byCode(code[0])
              .orElseThrow(
                  () ->
                      new MultiaddrFormatException(
                          FrameError.UNSUPPORTED, "unknown multiaddr protocol code " + code[0]));
      int length = protocol.valueBytes();
      if (protocol.isVariable()) {
        long[] prefix = varint(bytes, offset, MAX_VALUE_BYTES);
        offset += (int) prefix[1];
        length = (int) prefix[0];
      }
      if (length > bytes.length - offset) {
        throw new MultiaddrFormatException(
            FrameError.TRUNCATED,
            "/"
                + protocol.text()
                + " value truncated: needs "
                + length
                + " bytes, "
                + (bytes.length - offset)
                + " left");
      }
      components.add(
          protocol.hasValue()
              ? MultiaddrComponent.fromBytes(
                  protocol, Arrays.copyOfRange(bytes, offset, offset + length))
              : MultiaddrComponent.of(protocol));
      offset += length;
    }
    return new Multiaddr(List.copyOf(components), bytes.clone());
  }

  /**
   * An address from components.
   *
   * @throws MultiaddrFormatException if the binary form would exceed {@link #MAX_BYTES}
   */
  public static Multiaddr of(List<MultiaddrComponent> components) throws MultiaddrFormatException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (MultiaddrComponent c : components) {
      out.writeBytes(Varint.encode(c.protocol().code()));
      byte[] value = c.rawValue();
      if (c.protocol().isVariable()) {
        out.writeBytes(Varint.encode(value.length));
      }
      out.writeBytes(value);
    }
    if (out.size() > MAX_BYTES) {
      throw new MultiaddrFormatException(
          FrameError.TOO_LARGE, "multiaddr of " + out.size() + " bytes exceeds " + MAX_BYTES);
    }
    return new Multiaddr(List.copyOf(components), out.toByteArray());
  }

  /** {@code /ip4/a.b.c.d/tcp/port} or {@code /ip6/.../tcp/port}; an IPv6 scope id is dropped. */
  public static Multiaddr of(InetSocketAddress address) {
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("unresolved address " + address + "; use /dns4 or /dns6");
    }
    InetAddress ip = address.getAddress();
    MultiaddrProtocol family =
        ip instanceof Inet4Address ? MultiaddrProtocol.IP4 : MultiaddrProtocol.IP6;
    int port = address.getPort();
    try {
      return of(
          List.of(
              MultiaddrComponent.fromBytes(family, ip.getAddress()),
              MultiaddrComponent.fromBytes(
                  MultiaddrProtocol.TCP, new byte[] {(byte) (port >>> 8), (byte) port})));
    } catch (MultiaddrFormatException e) {
      throw new IllegalStateException("a resolved socket address is always a valid multiaddr", e);
    }
  }

  public List<MultiaddrComponent> components() {
    return components;
  }

  /** The binary form (a copy). */
  public byte[] encode() {
    return bytes.clone();
  }

  /**
   * The TCP endpoint of a {@code /ip4|ip6/.../tcp/port} address, optionally followed by {@code
   * /p2p/...}; empty for anything else (DNS, websockets, circuits, UDP). Never resolves.
   */
  public Optional<InetSocketAddress> tcpSocketAddress() {
    int n = components.size();
    boolean peerSuffix = n == 3 && components.get(2).protocol() == MultiaddrProtocol.P2P;
    if (n != 2 && !peerSuffix) {
      return Optional.empty();
    }
    MultiaddrComponent ip = components.get(0);
    MultiaddrComponent tcp = components.get(1);
    if ((ip.protocol() != MultiaddrProtocol.IP4 && ip.protocol() != MultiaddrProtocol.IP6)
        || tcp.protocol() != MultiaddrProtocol.TCP) {
      return Optional.empty();
    }
    try {
      byte[] port = tcp.rawValue();
      return Optional.of(
          new InetSocketAddress(
              InetAddress.getByAddress(ip.rawValue()), ((port[0] & 0xff) << 8) | (port[1] & 0xff)));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  /** The peer ID of the last {@code /p2p} component: for a circuit address, the target's. */
  public Optional<PeerId> peerId() {
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i).protocol() == MultiaddrProtocol.P2P) {
        try {
          return Optional.of(MultiaddrComponent.peerId(components.get(i).rawValue()));
        } catch (MalformedFrameException e) {
          throw new IllegalStateException("checked when constructed", e);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * This address ending in {@code /p2p/peer}: a trailing {@code /p2p} is replaced, else one is
   * appended.
   */
  public Multiaddr withPeerId(PeerId peer) {
    List<MultiaddrComponent> list = new ArrayList<>(withoutPeerId().components);
    list.add(MultiaddrComponent.p2p(peer));
    try {
      return of(list);
    } catch (MultiaddrFormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Whether this is a circuit relay address (it has a {@code /p2p-circuit} component). */
  public boolean isCircuit() {
    return components.stream().anyMatch(c -> c.protocol() == MultiaddrProtocol.P2P_CIRCUIT);
  }

  /**
   * For a one-hop circuit address, {@code <relay addr>/p2p/<relay>/p2p-circuit}, optionally
   * followed by {@code /p2p/<target>}: the relay's part, {@code <relay addr>/p2p/<relay>}. Empty
   * for any other address: not a circuit, a relay without its peer ID, or more than one hop.
   */
  public Optional<Multiaddr> circuitRelay() {
    int at = -1;
    for (int i = 0; i < components.size(); i++) {
      if (components.get(i).protocol() == MultiaddrProtocol.P2P_CIRCUIT) {
        at = i;
        break;
      }
    }
    int rest = components.size() - at - 1;
    if (at < 2
        || components.get(at - 1).protocol() != MultiaddrProtocol.P2P
        || rest > 1
        || (rest == 1 && components.get(at + 1).protocol() != MultiaddrProtocol.P2P)) {
      return Optional.empty();
    }
    try {
      return Optional.of(of(new ArrayList<>(components.subList(0, at))));
    } catch (MultiaddrFormatException e) {
      throw new IllegalStateException("a prefix of a valid address is valid", e);
    }
  }

  /** This address without a trailing {@code /p2p} component (inner ones, as in circuits, stay). */
  public Multiaddr withoutPeerId() {
    int n = components.size();
    if (n == 0 || components.get(n - 1).protocol() != MultiaddrProtocol.P2P) {
      return this;
    }
    try {
      return of(components.subList(0, n - 1));
    } catch (MultiaddrFormatException e) {
      throw new IllegalStateException("a prefix of a valid address is valid", e);
    }
  }

  /** This address followed by {@code inner}, e.g. a relay address then {@code /p2p-circuit}. */
  public Multiaddr encapsulate(Multiaddr inner) {
    List<MultiaddrComponent> list = new ArrayList<>(components);
    list.addAll(inner.components);
    try {
      return of(list);
    } catch (MultiaddrFormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The canonical text form; {@code "/"} for the empty address. */
  @Override
  public String toString() {
    if (components.isEmpty()) {
      return "/";
    }
    StringBuilder sb = new StringBuilder();
    components.forEach(sb::append);
    return sb.toString();
  }

  private static long[] varint(byte[] bytes, int offset, long max) throws MultiaddrFormatException {
    try {
      return Varint.decode(bytes, offset, max);
    } catch (MalformedFrameException e) {
      throw new MultiaddrFormatException(e.code(), "multiaddr: " + e.getMessage());
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
