package org.grapevine.libp2p.bitswap;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.grapevine.libp2p.encoding.Base32;

/**
 * A content identifier (multiformats/cid): binary CIDv1 = {@code varint(1) || varint(codec) ||
 * multihash}, multihash = {@code varint(0x12) || varint(32) || sha2-256 digest}. Our files are
 * blocks of codec {@code raw} (0x55); other codecs parse too, since a block's hash does not depend
 * on them. CIDv0 and other hash functions are refused with {@link BitswapError#UNSUPPORTED_CID}: we
 * could not verify a block named by them.
 *
 * <p>Text form: multibase {@code b} (base32, lower case), {@code bafkrei...} for raw sha2-256.
 */
public final class Cid {
  public static final int VERSION_1 = 0x01;
  public static final long RAW = 0x55;
  public static final int SHA2_256 = 0x12;
  public static final int SHA2_256_BYTES = 32;

  /** Codecs are table entries far below this; larger is a peer feeding us varint junk. */
  static final long MAX_CODEC = Integer.MAX_VALUE;

  /** The longest binary CID we accept: the header varints plus the digest. */
  static final int MAX_BYTES = CidPrefix.MAX_BYTES + SHA2_256_BYTES;

  private final byte[] bytes;
  private final long codec;

  /** CIDs key the wantlists and ledgers: hashed once. */
  private final int hash;

  private Cid(byte[] bytes, long codec) {
    this.bytes = bytes;
    this.codec = codec;
    this.hash = Arrays.hashCode(bytes);
  }

  /** Parses a binary CID (a wantlist entry's {@code block}, a presence's {@code cid}). */
  public static Cid parse(byte[] bytes) throws BitswapException {
    if (bytes.length > MAX_BYTES) {
      throw new BitswapException(BitswapError.BAD_CID, "CID of " + bytes.length + " bytes");
    }
    long[] header = CidPrefix.readHeader(bytes);
    int digestStart = (int) header[4];
    if (bytes.length - digestStart != SHA2_256_BYTES) {
      throw new BitswapException(
          BitswapError.BAD_CID,
          "CID carries " + (bytes.length - digestStart) + " digest bytes, not 32");
    }
    return new Cid(bytes.clone(), header[1]);
  }

  /** Parses the text form, multibase {@code b} only (the form every CIDv1 prints in). */
  public static Cid parseText(String text) throws BitswapException {
    if (text.length() < 2 || text.length() > 2 * MAX_BYTES || text.charAt(0) != 'b') {
      throw new BitswapException(
          BitswapError.BAD_CID, "not a base32 CIDv1 (multibase 'b'): " + text);
    }
    byte[] bytes;
    try {
      bytes = Base32.decode(text.substring(1));
    } catch (IllegalArgumentException e) {
      throw new BitswapException(BitswapError.BAD_CID, e.getMessage(), e);
    }
    return parse(bytes);
  }

  /** The CID of a file block: CIDv1, codec raw, sha2-256 of {@code data}. */
  public static Cid rawSha256(byte[] data) {
    return sha256(RAW, data);
  }

  /** CIDv1 of {@code data} with the given codec and its sha2-256. */
  public static Cid sha256(long codec, byte[] data) {
    if (codec < 0 || codec > MAX_CODEC) {
      throw new IllegalArgumentException("codec out of range: " + codec);
    }
    byte[] digest = digest(data);
    byte[] head = new CidPrefix(VERSION_1, codec, SHA2_256, SHA2_256_BYTES).encode();
    byte[] bytes = Arrays.copyOf(head, head.length + digest.length);
    System.arraycopy(digest, 0, bytes, head.length, digest.length);
    return new Cid(bytes, codec);
  }

  private static byte[] digest(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /** Size of the binary form, for message size accounting. */
  public int length() {
    return bytes.length;
  }

  public long codec() {
    return codec;
  }

  /** The sha2-256 digest (the last 32 bytes). */
  public byte[] digest() {
    return Arrays.copyOfRange(bytes, bytes.length - SHA2_256_BYTES, bytes.length);
  }

  /** This CID without its digest: what a payload carries beside the block's data. */
  public CidPrefix prefix() {
    return new CidPrefix(VERSION_1, codec, SHA2_256, SHA2_256_BYTES);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cid c && hash == c.hash && Arrays.equals(bytes, c.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The text form, {@code bafkrei...} for a raw block. */
  @Override
  public String toString() {
    return "b" + Base32.encode(bytes);
  }
}
