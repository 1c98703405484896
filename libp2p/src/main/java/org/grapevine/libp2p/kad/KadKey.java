package org.grapevine.libp2p.kad;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A point in the Kademlia key space (libp2p/specs kad-dht/README.md "Distance"): the SHA-256 of a
 * key's bytes, 256 bits. "In all cases, the distance between two keys is {@code XOR(sha256(key1),
 * sha256(key2))}"; for peers the key is the peer ID's bytes (its multihash, {@link
 * PeerId#toBytes()}), for provider records the CID's multihash bytes.
 *
 * <p>Distances compare as unsigned big-endian integers, so the peer sharing the longest common
 * prefix with a target is the closest. Immutable.
 */
public final class KadKey {
  /** SHA-256 output: the key space has 2^256 points and a routing table 256 buckets. */
  public static final int BYTES = 32;

  public static final int BITS = BYTES * 8;

  private final byte[] hash;

  /**
   * The hash as four big-endian words: distances compare and prefixes count a word at a time (the
   * first word nearly always decides), as lookups and FIND_NODE answers do for every candidate.
   */
  private final long w0;

  private final long w1;
  private final long w2;
  private final long w3;

  private KadKey(byte[] hash) {
    this.hash = hash;
    ByteBuffer b = ByteBuffer.wrap(hash); // big-endian
    this.w0 = b.getLong(0);
    this.w1 = b.getLong(8);
    this.w2 = b.getLong(16);
    this.w3 = b.getLong(24);
  }

  /** The key of arbitrary bytes (a record key, a CID's multihash): their SHA-256. */
  public static KadKey of(byte[] keyBytes) {
    return new KadKey(sha256(keyBytes));
  }

  /** The key of a peer: the SHA-256 of its peer ID's multihash bytes. */
  public static KadKey of(PeerId peer) {
    return of(peer.toBytes());
  }

  /**
   * A key given by its 32 hash bytes, not hashed again: for random lookup targets and for keys
   * computed elsewhere.
   */
  public static KadKey fromHash(byte[] hash) {
    if (hash.length != BYTES) {
      throw new IllegalArgumentException("a Kademlia key has 32 bytes, not " + hash.length);
    }
    return new KadKey(hash.clone());
  }

  /** A uniformly random key, e.g. the target of a bootstrap lookup (spec "Bootstrap process"). */
  public static KadKey random(RandomGenerator random) {
    byte[] hash = new byte[BYTES];
    random.nextBytes(hash);
    return new KadKey(hash);
  }

  /**
   * A random key sharing exactly {@code cpl} leading bits with {@code base}: a target that falls
   * into bucket {@code cpl} of {@code base}'s routing table, for refreshing that bucket.
   */
  public static KadKey randomWithPrefix(KadKey base, int cpl, RandomGenerator random) {
    if (cpl < 0 || cpl >= BITS) {
      throw new IllegalArgumentException("common prefix length " + cpl + " outside 0..255");
    }
    byte[] hash = new byte[BYTES];
    random.nextBytes(hash);
    int fullBytes = cpl / 8;
    System.arraycopy(base.hash, 0, hash, 0, fullBytes);
    int bit = cpl % 8;
    int keep = (0xff << (8 - bit)) & 0xff; // base's leading bits within this byte
    int flip = 0x80 >>> bit; // then the first bit that differs: base's, inverted
    int b = base.hash[fullBytes] & keep;
    b |= ~base.hash[fullBytes] & flip;
    b |= hash[fullBytes] & ~(keep | flip) & 0xff; // random below it
    hash[fullBytes] = (byte) b;
    return new KadKey(hash);
  }

  /** The XOR distance to {@code other}, as 32 big-endian bytes. */
  public byte[] distance(KadKey other) {
    byte[] d = new byte[BYTES];
    for (int i = 0; i < BYTES; i++) {
      d[i] = (byte) (hash[i] ^ other.hash[i]);
    }
    return d;
  }

  /**
   * The number of leading bits this key shares with {@code other}: 0..256, 256 only for equal keys.
   * A peer at common prefix length {@code i} with us belongs in our bucket {@code i}.
   */
  public int commonPrefixLength(KadKey other) {
    long x = w0 ^ other.w0;
    if (x != 0) {
      return Long.numberOfLeadingZeros(x);
    }
    x = w1 ^ other.w1;
    if (x != 0) {
      return 64 + Long.numberOfLeadingZeros(x);
    }
    x = w2 ^ other.w2;
    if (x != 0) {
      return 128 + Long.numberOfLeadingZeros(x);
    }
    x = w3 ^ other.w3;
    return x != 0 ? 192 + Long.numberOfLeadingZeros(x) : BITS;
  }

  /**
   * Negative if {@code a} is closer to this key than {@code b}, zero if equally close (that is, if
   * {@code a} equals {@code b}), positive otherwise. Compares the XOR distances without building
   * them.
   */
  public int compareDistance(KadKey a, KadKey b) {
    if (a.w0 != b.w0) {
      return Long.compareUnsigned(a.w0 ^ w0, b.w0 ^ w0);
    }
    if (a.w1 != b.w1) {
      return Long.compareUnsigned(a.w1 ^ w1, b.w1 ^ w1);
    }
    if (a.w2 != b.w2) {
      return Long.compareUnsigned(a.w2 ^ w2, b.w2 ^ w2);
    }
    return Long.compareUnsigned(a.w3 ^ w3, b.w3 ^ w3);
  }

  /** Orders keys by their distance to this one, closest first. */
  public Comparator<KadKey> byDistance() {
    return this::compareDistance;
  }

  public byte[] toBytes() {
    return hash.clone();
  }

  /**
   * Cloned for each hash: cheaper than a provider lookup, which tables, lookups and servers would
   * otherwise pay for every key they hash.
   */
  private static final MessageDigest SHA256 = newSha256();

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    MessageDigest md;
    try {
      md = (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      md = newSha256();
    }
    return md.digest(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadKey other
        && w0 == other.w0
        && w1 == other.w1
        && w2 == other.w2
        && w3 == other.w3;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(w0); // a SHA-256 output: its first word is as good a hash as any
  }

  /** Hex of the hash. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(hash);
  }
}
