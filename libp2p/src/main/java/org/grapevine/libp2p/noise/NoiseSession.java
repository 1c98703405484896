package org.grapevine.libp2p.noise;

import io.netty.buffer.ByteBuf;
import java.util.Optional;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The result of a completed handshake: who the remote is, which muxer was agreed early (if any),
 * and the two transport cipher states. Each transport message is one frame (see {@link
 * NoiseFrameCodec}) holding {@code ciphertext || tag} of at most {@value #MAX_PLAINTEXT_BYTES}
 * plaintext bytes; nonces count per direction from 0.
 *
 * <p>Not thread-safe: confine it to the connection's event loop. Any {@link NoiseException} from
 * {@link #decrypt} is fatal to the connection.
 */
public final class NoiseSession {
  /** 65535 minus the 16-byte tag [js NOISE_MSG_MAX_LENGTH_BYTES_WITHOUT_TAG]. */
  public static final int MAX_PLAINTEXT_BYTES =
      NoiseFrameCodec.MAX_MESSAGE_BYTES - NoiseCipherState.TAG_BYTES;

  private final NoiseCipherState sender;
  private final NoiseCipherState receiver;
  private final PeerId remotePeer;
  private final PubKey remoteKey;
  private final Optional<String> muxer;
  private final byte[] handshakeHash;

  NoiseSession(
      NoiseCipherState sender,
      NoiseCipherState receiver,
      PubKey remoteKey,
      Optional<String> muxer,
      byte[] handshakeHash) {
    this.sender = sender;
    this.receiver = receiver;
    this.remoteKey = remoteKey;
    this.remotePeer = PeerId.fromPubKey(remoteKey);
    this.muxer = muxer;
    this.handshakeHash = handshakeHash.clone();
  }

  public PeerId remotePeer() {
    return remotePeer;
  }

  public PubKey remoteKey() {
    return remoteKey;
  }

  /**
   * The muxer agreed inside the handshake: present only if both sides sent non-empty lists. When
   * empty, negotiate the muxer with multistream-select over the encrypted channel.
   */
  public Optional<String> muxer() {
    return muxer;
  }

  /** The final Noise handshake hash, equal on both sides. */
  public byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  /** Encrypts our outgoing messages. */
  public NoiseCipherState sender() {
    return sender;
  }

  /** Decrypts the remote's messages. */
  public NoiseCipherState receiver() {
    return receiver;
  }

  /**
   * Encrypts all readable bytes of {@code plaintext} into {@code out} as framed transport messages,
   * splitting them every {@value #MAX_PLAINTEXT_BYTES} bytes. An empty plaintext gives one frame
   * holding only a tag. Reads {@code plaintext}; does not release it.
   */
  public void encrypt(ByteBuf plaintext, ByteBuf out) {
    do {
      int chunk = Math.min(plaintext.readableBytes(), MAX_PLAINTEXT_BYTES);
      out.ensureWritable(2 + chunk + NoiseCipherState.TAG_BYTES);
      out.writeShort(chunk + NoiseCipherState.TAG_BYTES);
      sender.encrypt(plaintext, chunk, out);
    } while (plaintext.isReadable());
  }

  /**
   * Decrypts one transport message (a frame body, without its length prefix) into {@code out}.
   * Reads all of {@code ciphertext}; does not release it.
   *
   * @throws NoiseException BAD_LENGTH below the 16-byte tag, DECRYPT_FAILED for a bad tag
   */
  public void decrypt(ByteBuf ciphertext, ByteBuf out) throws NoiseException {
    int length = ciphertext.readableBytes();
    if (length > NoiseFrameCodec.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "a transport message is at most 65535 bytes, got " + length + "; frame it first");
    }
    receiver.decrypt(ciphertext, length, out);
  }
}
