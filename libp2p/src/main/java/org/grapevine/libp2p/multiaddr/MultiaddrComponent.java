package org.grapevine.libp2p.multiaddr;

import io.netty.util.NetUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Base58;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.peer.PeerIdFormatException;

/**
 * One {@code /protocol/value} pair of a {@link Multiaddr}. Immutable; the value is held in its
 * binary form (4 bytes for ip4, 2 big-endian bytes for a port, a peer ID's multihash for p2p, UTF-8
 * for DNS names) and was checked when the component was made.
 */
public final class MultiaddrComponent {
  private static final byte[] NO_VALUE = new byte[0];

  private final MultiaddrProtocol protocol;
  private final byte[] value;

  private MultiaddrComponent(MultiaddrProtocol protocol, byte[] value) {
    this.protocol = protocol;
    this.value = value;
  }

  /** A component without value, such as {@code /ws} or {@code /p2p-circuit}. */
  public static MultiaddrComponent of(MultiaddrProtocol protocol) {
    if (protocol.hasValue()) {
      throw new IllegalArgumentException("/" + protocol.text() + " needs a value");
    }
    return new MultiaddrComponent(protocol, NO_VALUE);
  }

  public static MultiaddrComponent p2p(PeerId peer) {
    return new MultiaddrComponent(MultiaddrProtocol.P2P, peer.toBytes());
  }

  /** A component from its binary value, checked as if it came from a peer. */
  public static MultiaddrComponent fromBytes(MultiaddrProtocol protocol, byte[] value)
      throws MultiaddrFormatException {
    if (protocol.isVariable()) {
      if (value.length == 0 || value.length > Multiaddr.MAX_VALUE_BYTES) {
        throw new MultiaddrFormatException(
            FrameError.BAD_ENCODING,
            "/"
                + protocol.text()
                + " value of "
                + value.length
                + " bytes (1 to "
                + Multiaddr.MAX_VALUE_BYTES
                + " allowed)");
      }
    } else if (value.length != protocol.valueBytes()) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING,
          "/"
              + protocol.text()
              + " value of "
              + value.length
              + " bytes, expected "
              + protocol.valueBytes());
    }
    switch (protocol) {
      case DNS, DNS4, DNS6, DNSADDR -> checkDnsName(protocol, strictUtf8(protocol, value));
      case P2P -> peerId(value);
      default -> {}
    }
    return new MultiaddrComponent(protocol, value.clone());
  }

  /** A component from its text value (the part after {@code /protocol/}). */
  public static MultiaddrComponent fromText(MultiaddrProtocol protocol, String text)
      throws MultiaddrFormatException {
    byte[] value =
        switch (protocol) {
          case IP4 -> ipBytes(protocol, text, NetUtil.isValidIpV4Address(text), 4);
          case IP6 ->
              ipBytes(
                  protocol,
                  text,
                  NetUtil.isValidIpV6Address(text)
                      && text.indexOf('%') < 0
                      && text.indexOf('[') < 0,
                  16);
          case TCP, UDP -> port(protocol, text);
          case DNS, DNS4, DNS6, DNSADDR ->
              checkDnsName(protocol, text).getBytes(StandardCharsets.UTF_8);
          case P2P -> parsePeerId(text).toBytes();
          default -> throw new IllegalArgumentException("/" + protocol.text() + " takes no value");
        };
    return fromBytes(protocol, value);
  }

  public MultiaddrProtocol protocol() {
    return protocol;
  }

  /** The binary value (a copy); empty for protocols without one. */
  public byte[] value() {
    return value.clone();
  }

  /** The value as text: dotted or RFC 5952 address, decimal port, DNS name, base58 peer ID. */
  public String valueText() {
    return switch (protocol) {
      case IP4, IP6 -> NetUtil.bytesToIpAddress(value);
      case TCP, UDP -> Integer.toString(((value[0] & 0xff) << 8) | (value[1] & 0xff));
      case DNS, DNS4, DNS6, DNSADDR -> new String(value, StandardCharsets.UTF_8);
      case P2P -> Base58.encode(value);
      default -> "";
    };
  }

  byte[] rawValue() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MultiaddrComponent other
        && protocol == other.protocol
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * protocol.hashCode() + Arrays.hashCode(value);
  }

  /** The text form, e.g. {@code /tcp/4001}. */
  @Override
  public String toString() {
    return protocol.hasValue() ? "/" + protocol.text() + "/" + valueText() : "/" + protocol.text();
  }

  static PeerId peerId(byte[] value) throws MultiaddrFormatException {
    try {
      return PeerId.fromBytes(value);
    } catch (MalformedFrameException e) {
      throw new MultiaddrFormatException(e.code(), "/p2p value: " + e.getMessage());
    }
  }

  private static PeerId parsePeerId(String text) throws MultiaddrFormatException {
    try {
      return PeerId.parse(text);
    } catch (PeerIdFormatException e) {
      throw new MultiaddrFormatException(e.code(), "/p2p value: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new MultiaddrFormatException(FrameError.BAD_ENCODING, "/p2p value: " + e.getMessage());
    }
  }

  private static byte[] ipBytes(MultiaddrProtocol protocol, String text, boolean valid, int length)
      throws MultiaddrFormatException {
    byte[] bytes = valid ? NetUtil.createByteArrayFromIpAddressString(text) : null;
    if (bytes == null || bytes.length != length) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING,
          "not an /" + protocol.text() + " address: \"" + Multiaddr.abbreviate(text) + "\"");
    }
    return bytes;
  }

  private static byte[] port(MultiaddrProtocol protocol, String text)
      throws MultiaddrFormatException {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING,
          "not a /" + protocol.text() + " port: \"" + Multiaddr.abbreviate(text) + "\"");
    }
    int port = Integer.parseInt(text);
    if (port > 0xffff) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING, "/" + protocol.text() + " port " + port + " is above 65535");
    }
    return new byte[] {(byte) (port >>> 8), (byte) port};
  }

  private static String checkDnsName(MultiaddrProtocol protocol, String name)
      throws MultiaddrFormatException {
    if (name.isEmpty() || name.indexOf('/') >= 0) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING,
          "not a /" + protocol.text() + " name: \"" + Multiaddr.abbreviate(name) + "\"");
    }
    return name;
  }

  private static String strictUtf8(MultiaddrProtocol protocol, byte[] value)
      throws MultiaddrFormatException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MultiaddrFormatException(
          FrameError.BAD_ENCODING, "/" + protocol.text() + " value is not UTF-8");
    }
  }
}
