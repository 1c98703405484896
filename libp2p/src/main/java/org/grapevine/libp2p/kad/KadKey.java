package org.grapevine.libp2p.kad;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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

  private KadKey(byte[] hash) {
    this.hash = hash;
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
    for (int i = 0; i < BYTES; i++) {
      int x = (hash[i] ^ other.hash[i]) & 0xff;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return BITS;
  }

  /**
   * Negative if {@code a} is closer to this key than {@code b}, zero if equally close (that is, if
   * {@code a} equals {@code b}), positive otherwise. Compares the XOR distances without building
   * them.
   */
  public int compareDistance(KadKey a, KadKey b) {
    for (int i = 0; i < BYTES; i++) {
      int da = (a.hash[i] ^ hash[i]) & 0xff;
      int db = (b.hash[i] ^ hash[i]) & 0xff;
      if (da != db) {
        return Integer.compare(da, db);
      }
    }
    return 0;
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
    return o instanceof KadKey other && Arrays.equals(hash, other.hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  /** Hex of the hash. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(hash);
  }
}
