package org.grapevine.protocol.identity;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.grapevine.protocol.Limits;

/**
 * An invite: an identity and where its node can be dialled, in one checksummed line that a person
 * can paste (docs/ARCHITECTURE.md "Invites"). The text is bech32m, like the identity string, with
 * its own prefix so that neither is ever taken for the other:
 *
 * <pre>
 *   gvi1 &lt;data characters&gt; &lt;6 checksum characters&gt;
 *   payload (bytes):
 *   +---------+-----------------+-------+-------------+-------+-------+-----------+-----+
 *   | version | root public key | P     | peer id     | N     | L1    | address 1 | ... |
 *   | 0x01    | 32              | 1     | P bytes     | 1     | 1     | L1 bytes  |     |
 *   +---------+-----------------+-------+-------------+-------+-------+-----------+-----+
 *   P: 1..{@value #MAX_PEER_ID_BYTES} (the libp2p peer id, its multihash bytes)
 *   N: 1..{@value #MAX_ADDRS} addresses; each L: 1..{@value #MAX_ADDR_BYTES}
 *   address: a binary multiaddr without /p2p (the peer id above applies to every one)
 * </pre>
 *
 * The peer id and the addresses are opaque here (this module does not know libp2p); the node checks
 * them as a peer id and as multiaddrs before dialling. Nothing may follow the last address.
 *
 * <p>Discrepancy from BIP-350: an invite is longer than the 90 characters bech32m is specified for.
 * The checksum still catches any error with probability 1 - 2^-30, but the guarantee of catching
 * every error of up to four characters holds only for strings of at most 89 characters.
 */
public final class Invite {
  /** Human-readable prefix of every invite. */
  public static final String HRP = "gvi";

  /** The only payload version. */
  static final byte VERSION_1 = 0x01;

  /** A libp2p peer id is a multihash: 38 bytes for Ed25519, 34 for a SHA-256 of a larger key. */
  public static final int MAX_PEER_ID_BYTES = 64;

  /** Addresses an invite carries at most. */
  public static final int MAX_ADDRS = 8;

  /** An IPv6 TCP multiaddr is 20 bytes; 64 leaves room for a /dns4 name of about 50. */
  public static final int MAX_ADDR_BYTES = 64;

  private static final int MAX_PAYLOAD_BYTES =
      1 + Limits.PUBLIC_KEY_BYTES + 1 + MAX_PEER_ID_BYTES + 1 + MAX_ADDRS * (1 + MAX_ADDR_BYTES);

  /** The longest invite text: prefix, separator, the payload in 5-bit groups, the checksum. */
  public static final int MAX_STRING_LENGTH =
      HRP.length() + 1 + (MAX_PAYLOAD_BYTES * 8 + 4) / 5 + 6;

  private final Identity identity;
  private final byte[] peerId;
  private final List<byte[]> addrs;

  private Invite(Identity identity, byte[] peerId, List<byte[]> addrs) {
    this.identity = identity;
    this.peerId = peerId;
    this.addrs = addrs;
  }

  /**
   * An invite to {@code identity} at the node with {@code peerId} (multihash bytes), dialable at
   * {@code addrs} (binary multiaddrs without /p2p), in the order given: put the ones most likely to
   * work from elsewhere first.
   *
   * @throws IllegalArgumentException if a count or a length is out of the bounds above
   */
  public static Invite of(Identity identity, byte[] peerId, List<byte[]> addrs) {
    if (peerId.length < 1 || peerId.length > MAX_PEER_ID_BYTES) {
      throw new IllegalArgumentException(
          "a peer id of " + peerId.length + " bytes; 1 to " + MAX_PEER_ID_BYTES + " fit an invite");
    }
    if (addrs.isEmpty() || addrs.size() > MAX_ADDRS) {
      throw new IllegalArgumentException(
          addrs.size() + " addresses; an invite carries 1 to " + MAX_ADDRS);
    }
    List<byte[]> copy = new ArrayList<>();
    for (byte[] a : addrs) {
      if (a.length < 1 || a.length > MAX_ADDR_BYTES) {
        throw new IllegalArgumentException(
            "an address of " + a.length + " bytes; 1 to " + MAX_ADDR_BYTES + " fit an invite");
      }
      copy.add(a.clone());
    }
    return new Invite(identity, peerId.clone(), List.copyOf(copy));
  }

  /**
   * Parses an invite, ignoring surrounding white space; all-uppercase is accepted.
   *
   * <p>Checks, in order: 1. length ({@link #MAX_STRING_LENGTH}); 2. one case; 3. the prefix; 4. the
   * checksum; 5. the version; 6. each length and count against its bound; 7. no trailing bytes; 8.
   * the key is a usable Ed25519 public key.
   *
   * @throws InviteFormatException saying what is wrong, never an unchecked exception
   */
  public static Invite parse(String input) throws InviteFormatException {
    String s = input == null ? "" : input.strip();
    if (s.isEmpty()) {
      throw new InviteFormatException(InviteFormatException.Problem.EMPTY, "the string is empty");
    }
    if (s.length() > MAX_STRING_LENGTH) {
      throw new InviteFormatException(
          InviteFormatException.Problem.TOO_LONG,
          "it is " + s.length() + " characters long; invites are at most " + MAX_STRING_LENGTH);
    }
    String lower = s.toLowerCase(Locale.ROOT);
    if (!s.equals(lower) && !s.equals(s.toUpperCase(Locale.ROOT))) {
      throw new InviteFormatException(
          InviteFormatException.Problem.MIXED_CASE,
          "it mixes upper- and lowercase letters; use one case");
    }
    if (!lower.startsWith(HRP + "1")) {
      throw new InviteFormatException(
          InviteFormatException.Problem.WRONG_PREFIX, "invites start with \"" + HRP + "1\"");
    }
    byte[] payload;
    try {
      Bech32m.Decoded d = Bech32m.decode(lower, HRP, "invites");
      if (!d.hrp().equals(HRP)) {
        throw new InviteFormatException(
            InviteFormatException.Problem.WRONG_PREFIX, "invites start with \"" + HRP + "1\"");
      }
      payload = d.payload();
    } catch (IdentityFormatException e) {
      throw new InviteFormatException(InviteFormatException.Problem.of(e.problem()), e);
    }
    return decodePayload(payload);
  }

  private static Invite decodePayload(byte[] p) throws InviteFormatException {
    Reader r = new Reader(p);
    int version = r.u8("the version");
    if (version != VERSION_1) {
      throw new InviteFormatException(
          InviteFormatException.Problem.UNKNOWN_VERSION,
          "invite version " + version + " is not known to this version of Grapevine");
    }
    byte[] key = r.bytes(Limits.PUBLIC_KEY_BYTES, "the identity key");
    byte[] peerId = r.bytes(r.length("peer id", MAX_PEER_ID_BYTES), "the peer id");
    int n = r.u8("the address count");
    if (n < 1 || n > MAX_ADDRS) {
      throw new InviteFormatException(
          InviteFormatException.Problem.OUT_OF_BOUNDS,
          "it says " + n + " addresses; an invite carries 1 to " + MAX_ADDRS);
    }
    List<byte[]> addrs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      addrs.add(r.bytes(r.length("address " + (i + 1), MAX_ADDR_BYTES), "address " + (i + 1)));
    }
    if (r.remaining() != 0) {
      throw new InviteFormatException(
          InviteFormatException.Problem.WRONG_LENGTH,
          r.remaining() + " bytes follow the last address");
    }
    if (!org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(key, 0)) {
      throw new InviteFormatException(
          InviteFormatException.Problem.NOT_A_PUBLIC_KEY,
          "the checksum is right but the identity key is not a usable Ed25519 public key");
    }
    return new Invite(Identity.of(key), peerId, List.copyOf(addrs));
  }

  public Identity identity() {
    return identity;
  }

  /** The node's libp2p peer id, as multihash bytes (a copy). */
  public byte[] peerId() {
    return peerId.clone();
  }

  /** The addresses, binary multiaddrs without /p2p, in the invite's order (copies). */
  public List<byte[]> addrs() {
    List<byte[]> out = new ArrayList<>();
    addrs.forEach(a -> out.add(a.clone()));
    return out;
  }

  /** The invite text: {@code gvi1...}. */
  @Override
  public String toString() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_PAYLOAD_BYTES);
    out.write(VERSION_1);
    out.writeBytes(identity.root().unsafeBytes());
    out.write(peerId.length);
    out.writeBytes(peerId);
    out.write(addrs.size());
    for (byte[] a : addrs) {
      out.write(a.length);
      out.writeBytes(a);
    }
    return Bech32m.encode(HRP, out.toByteArray());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Invite other)
        || !identity.equals(other.identity)
        || !Arrays.equals(peerId, other.peerId)
        || addrs.size() != other.addrs.size()) {
      return false;
    }
    for (int i = 0; i < addrs.size(); i++) {
      if (!Arrays.equals(addrs.get(i), other.addrs.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return identity.hashCode() * 31 + Arrays.hashCode(peerId);
  }

  /** Bounded reads over the payload; running out is a {@code TRUNCATED} problem. */
  private static final class Reader {
    private final byte[] p;
    private int pos;

    Reader(byte[] p) {
      this.p = p;
    }

    int remaining() {
      return p.length - pos;
    }

    int u8(String what) throws InviteFormatException {
      return bytes(1, what)[0] & 0xff;
    }

    int length(String what, int max) throws InviteFormatException {
      int len = u8("the length of " + what);
      if (len < 1 || len > max) {
        throw new InviteFormatException(
            InviteFormatException.Problem.OUT_OF_BOUNDS,
            "the " + what + " is " + len + " bytes long; 1 to " + max + " are allowed");
      }
      return len;
    }

    byte[] bytes(int n, String what) throws InviteFormatException {
      if (remaining() < n) {
        throw new InviteFormatException(
            InviteFormatException.Problem.TRUNCATED,
            "it ends inside " + what + " (was it cut off when copied?)");
      }
      byte[] out = Arrays.copyOfRange(p, pos, pos + n);
      pos += n;
      return out;
    }
  }
}
