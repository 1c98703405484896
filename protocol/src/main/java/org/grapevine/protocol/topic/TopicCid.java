package org.grapevine.protocol.topic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The content identifier under which a node announces, in the Kademlia DHT, that it carries a topic
 * (issue 13's topic rendezvous): the CIDv1 of the topic name's UTF-8 bytes, codec {@code raw}
 * (0x55), multihash sha2-256 (0x12, 32 bytes). The DHT's provider messages carry the CID's
 * <em>multihash</em> bytes as their key (the kad-dht spec says "a CID"; go and js put its multihash
 * there), so {@link #providerKey} is what goes on the wire; libp2p's {@code kad.RawCid} writes it
 * as people and other tools do ({@code bafkrei...}).
 *
 * <p>Frozen: a change makes every node look for its topics under keys nobody announces. {@code
 * TopicCidTest} pins a vector.
 */
public final class TopicCid {
  private static final int SHA2_256 = 0x12;
  private static final int SHA2_256_BYTES = 32;

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

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
