package org.grapevine.simulations.virtual;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;
import org.grapevine.simulations.network.Workload;

/**
 * Every identity and every entry of a run, signed once up front with real Ed25519 keys derived from
 * the seed: each node's root key, device key and delegation, and each post of the workload.
 *
 * <p>The verify cache: an envelope seen for the first time is verified for real ({@link
 * EntryValidator}: sizes, hashes, signature); later copies of the same entry id reuse that verdict,
 * because verifying 70 µs per delivery would cap a run at a few thousand deliveries a second. The
 * time a node spends verifying is modelled instead, by its class's validation delay.
 *
 * <p>The real engine's nodes have the same identities, keys and delegations (their posts are
 * written by the nodes themselves, on the wall clock).
 */
public final class PostCatalog {
  /** Entry timestamps count from here: 2026-01-01T00:00:00Z plus virtual time. */
  public static final long EPOCH_MILLIS = 1_767_225_600_000L;

  private final Identity[] identities;

  /**
   * Keys are made again from the seed when asked for ({@link #rootKey}, {@link #deviceKey}: the
   * real engine, once per node): only the set-up signs as a node, and holding two keys per node
   * cost a million-node simulation about 260 MB. The device public keys stay (the real engine polls
   * them).
   */
  private final long seed;

  private final AuthorKey[] devicePublicKeys;
  private final PeerId[] peerIds;
  private final String[] topics;
  private final Map<String, Integer> nodeOfTopic = new HashMap<>();
  private final LogEntry[] delegations;
  private final LogEntry[] posts;
  private final byte[][] envelopes;
  private final Map<ByteString, Integer> postOfData = new HashMap<>();
  private final Map<MessageId, Integer> postOfId = new HashMap<>();
  private final Map<MessageId, LogEntry> verified = new HashMap<>();
  private final EntryValidator validator = new EntryValidator();
  private final AddressedValidator addressedValidator = new AddressedValidator(validator);
  private long realVerifications;

  public PostCatalog(long seed, int nodes, Workload workload) {
    identities = new Identity[nodes];
    this.seed = seed;
    devicePublicKeys = new AuthorKey[nodes];
    peerIds = new PeerId[nodes];
    topics = new String[nodes];
    delegations = new LogEntry[nodes];
    LogWriter[] writers = new LogWriter[nodes];
    for (int i = 0; i < nodes; i++) {
      SigningKey root = key(seed, i, "root");
      SigningKey device = key(seed, i, "device");
      devicePublicKeys[i] = device.publicKey();
      identities[i] = Identity.of(root.publicKey());
      peerIds[i] = PeerId.fromPubKey(PubKey.ed25519(device.publicKey().unsafeBytes()));
      topics[i] = Topics.forIdentity(identities[i]);
      nodeOfTopic.put(topics[i], i);
      delegations[i] =
          LogWriter.rootLog(root, LogHead.EMPTY)
              .append(
                  Content.newBuilder()
                      .setDelegateDevice(
                          DelegateDevice.newBuilder()
                              .setDevice(ByteString.copyFrom(device.publicKey().unsafeBytes()))
                              .setName("sim"))
                      .build(),
                  EPOCH_MILLIS);
      writers[i] = new LogWriter(identities[i], device, LogHead.EMPTY);
    }
    posts = new LogEntry[workload.posts()];
    envelopes = new byte[workload.posts()][];
    for (int k = 0; k < posts.length; k++) {
      long millis = EPOCH_MILLIS + workload.timeNanos(k) / 1_000_000L;
      Post.Builder post = Post.newBuilder().setText(text(k, workload.bytes(k)));
      int parent = workload.parent(k);
      if (parent >= 0) { // As the node builds a reply; a parent here is never a reply itself.
        Ref ref =
            Ref.newBuilder()
                .setIdentity(
                    ByteString.copyFrom(posts[parent].header().identity().root().unsafeBytes()))
                .setEntry(ByteString.copyFrom(posts[parent].id().unsafeBytes()))
                .build();
        post.setReplyTo(ReplyTo.newBuilder().setRoot(ref).setParent(ref));
      }
      posts[k] =
          writers[workload.author(k)].append(Content.newBuilder().setPost(post).build(), millis);
      envelopes[k] = posts[k].toEnvelopeBytes();
      postOfData.put(ByteString.copyFrom(envelopes[k]), k);
      postOfId.put(MessageId.of(posts[k].id().toBytes()), k);
    }
  }

  /**
   * The key of {@code node} in {@code role} ("root", "device"); package-private for tests that sign
   * as a node.
   */
  static SigningKey key(long seed, int node, String role) {
    return SigningKey.fromSeed(keySeed(seed, node, role));
  }

  /**
   * The 32-byte seed of a node's key for {@code role} ("root", "device"; the real engine's "host").
   */
  public static byte[] keySeed(long seed, int node, String role) {
    return Sha256.hash(
        ("grapevine-sim/" + seed + "/" + node + "/" + role).getBytes(StandardCharsets.UTF_8));
  }

  /** Text of exactly {@code bytes} ASCII bytes, different for every post. */
  public static String text(int post, int bytes) {
    String head = "post " + post + " ";
    char[] c = new char[bytes];
    Arrays.fill(c, 'x');
    for (int i = 0; i < Math.min(head.length(), bytes); i++) {
      c[i] = head.charAt(i);
    }
    return new String(c);
  }

  public Identity identity(int node) {
    return identities[node];
  }

  /** The node's identity root key (made again from the seed). */
  public SigningKey rootKey(int node) {
    return key(seed, node, "root");
  }

  /** The node's device key, delegated by {@link #delegation} (made again from the seed). */
  public SigningKey deviceKey(int node) {
    return key(seed, node, "device");
  }

  /** The public half of {@link #deviceKey}. */
  public AuthorKey devicePublicKey(int node) {
    return devicePublicKeys[node];
  }

  PeerId peerId(int node) {
    return peerIds[node];
  }

  String topic(int node) {
    return topics[node];
  }

  /** The node whose identity's topic this is, or -1 (not a topic of this run). */
  int nodeOfTopic(String topic) {
    Integer n = nodeOfTopic.get(topic);
    return n == null ? -1 : n;
  }

  /** The first entry of the node's root log: it delegates {@link #deviceKey}. */
  public LogEntry delegation(int node) {
    return delegations[node];
  }

  LogEntry post(int k) {
    return posts[k];
  }

  byte[] envelope(int k) {
    return envelopes[k];
  }

  int envelopeBytes(int k) {
    return envelopes[k].length;
  }

  /** The post whose envelope is {@code data}, or -1. */
  int postOfData(ByteString data) {
    Integer k = postOfData.get(data);
    return k == null ? -1 : k;
  }

  /** The post with this message id (= entry id), or -1. */
  int postOfId(MessageId id) {
    Integer k = postOfId.get(id);
    return k == null ? -1 : k;
  }

  /**
   * What stateless validation makes of an envelope: the cached verdict for an id seen valid before,
   * else a real verification (an invalid one is verified again each time: it says why).
   *
   * @param id the envelope's message id or entry id; null when it does not decode
   */
  Verification verification(MessageId id, byte[] envelope) {
    return verification(id, envelope, false);
  }

  /**
   * {@link #verification(MessageId, byte[])} of a gossip message: with {@code addressed}, an {@code
   * Addressed} message (its id is a digest of the message, so cached apart from the entry's).
   */
  Verification verification(MessageId id, byte[] envelope, boolean addressed) {
    LogEntry e = id == null ? null : verified.get(id);
    if (e != null) {
      return new Verification.Valid(e);
    }
    realVerifications++;
    Verification v =
        addressed ? addressedValidator.validate(envelope) : validator.validate(envelope);
    if (id != null && v instanceof Verification.Valid valid) {
      verified.put(id, valid.entry());
    }
    return v;
  }

  /** The message id (= entry id) of an envelope received by sync; null when it does not decode. */
  static MessageId idOfEnvelope(byte[] envelope) {
    try {
      Envelope e = Envelope.parseFrom(envelope);
      return MessageId.of(EntryId.ofEntryBytes(e.getEntry().toByteArray()).toBytes());
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return null;
    }
  }

  long realVerifications() {
    return realVerifications;
  }
}
