package org.grapevine.protocol.topic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The content identifier under which a node announces, in the Kademlia DHT, that it carries a topic
 * (issue 13's topic rendezvous): the CIDv1 of the topic name's UTF-8 bytes, codec {@code raw}
 * (0x55), multihash sha2-256 (0x12, 32 bytes). The DHT's provider messages carry the CID's
 * <em>multihash</em> bytes as their key (the kad-dht spec says "a CID"; go and js put its multihash
 * there), so {@link #providerKey} is what goes on the wire and {@link #cid} is the same key as
 * people and other tools write it ({@code bafkrei...}, multibase base32).
 *
 * <p>Frozen: a change makes every node look for its topics under keys nobody announces. {@code
 * TopicCidTest} pins a vector.
 */
public final class TopicCid {
  private static final int CID_VERSION = 0x01;
  private static final int RAW_CODEC = 0x55;
  private static final int SHA2_256 = 0x12;
  private static final int SHA2_256_BYTES = 32;
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private TopicCid() {}

  /** The multihash bytes {@code 0x12 0x20 || sha256(topic)}: the key of ADD/GET_PROVIDERS. */
  public static byte[] providerKey(String topic) {
    byte[] digest = sha256(topic.getBytes(StandardCharsets.UTF_8));
    byte[] key = new byte[2 + SHA2_256_BYTES];
    key[0] = (byte) SHA2_256;
    key[1] = (byte) SHA2_256_BYTES;
    System.arraycopy(digest, 0, key, 2, SHA2_256_BYTES);
    return key;
  }

  /** The CIDv1 as text: multibase {@code b} (base32, lower case, no padding). */
  public static String cid(String topic) {
    byte[] multihash = providerKey(topic);
    byte[] cid = new byte[2 + multihash.length];
    cid[0] = (byte) CID_VERSION;
    cid[1] = (byte) RAW_CODEC;
    System.arraycopy(multihash, 0, cid, 2, multihash.length);
    return "b" + base32(cid);
  }

  /** RFC 4648 base32, lower case, without padding (multibase {@code b}). */
  static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
