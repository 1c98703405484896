package org.grapevine.node.core;

import java.util.List;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What a {@link NodeCore} asks its driver to do ({@link NodeCore#pollCommand}). Typed, so that both
 * drivers (the Netty node and the virtual engine) handle every kind (rust-libp2p's {@code
 * ToSwarm}).
 */
public sealed interface CoreCommand {

  /**
   * Open a sync stream to {@code peer}; once open, the driver calls {@link
   * NodeCore#handleSyncStream}. If it cannot be opened, the driver calls nothing: the next round or
   * gap tries again.
   */
  record OpenSync(PeerId peer) implements CoreCommand {}

  /**
   * Verify (decode, stateless checks, signatures) the {@code batch}-th batch received on sync
   * stream {@code sync}, off the core if the driver likes (a thread pool, a modelled delay), then
   * call {@link NodeCore#handleSyncVerified} with the results in the same order. Batches may come
   * back in any order; the core stores them in the order they arrived.
   */
  record VerifyBatch(long sync, int batch, List<byte[]> envelopes) implements CoreCommand {}

  /**
   * Verify (decode, stateless checks, signature) the envelope of gossip message {@code id} (with
   * {@code addressed}, an {@code Addressed} message: {@code AddressedValidator}), off the core if
   * the driver likes, then call {@link NodeCore#handleGossipVerified} with {@code token} (or {@link
   * NodeCore#handleGossipVerifyFailed}). Verifications may come back in any order; the core judges
   * the messages in the order they arrived.
   */
  @SuppressWarnings("ArrayRecordComponent") // the message's payload, identified by its id
  record VerifyGossip(long token, MessageId id, byte[] envelope, boolean addressed)
      implements CoreCommand {
    /** A message on an identity topic: an envelope ({@code EntryValidator}). */
    public VerifyGossip(long token, MessageId id, byte[] envelope) {
      this(token, id, envelope, false);
    }
  }

  /**
   * Sync stream {@code sync} is over: close our side for writing once the bytes already polled are
   * written, and read and drop whatever the peer still sends.
   */
  record CloseSync(long sync) implements CoreCommand {}

  /** Close the connection to {@code peer}: it keeps breaking the protocol ({@code why}). */
  record Disconnect(PeerId peer, String why) implements CoreCommand {}

  /**
   * Send a DHT request ({@link DhtRequest}: dial if needed, write, read the answer), then call
   * {@link NodeCore#handleDhtResponse} or {@link NodeCore#handleDhtFailure} with its id.
   */
  record SendDht(DhtRequest request) implements CoreCommand {}

  /**
   * {@code peer} provides {@code topic}, which needs peers: connect to it and keep it connected
   * (protected from trimming) until {@link ReleaseTopicPeer}.
   */
  record KeepTopicPeer(KadPeer peer, String topic) implements CoreCommand {}

  /** No followed topic needs {@code peer} any more: an ordinary peer again. */
  record ReleaseTopicPeer(PeerId peer) implements CoreCommand {}
}
