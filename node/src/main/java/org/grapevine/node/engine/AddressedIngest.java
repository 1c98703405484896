package org.grapevine.node.engine;

import java.util.Optional;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.addressed.Addressees;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.DeviceStatus;
import org.grapevine.protocol.validation.LogView;
import org.grapevine.protocol.validation.RejectReason;

/**
 * What to do with a verified addressed entry (issue 15: an {@code Addressed} message whose
 * signatures and delegation proof {@code AddressedValidator} checked) that came on {@code
 * addressee}'s topic. In order:
 *
 * <ol>
 *   <li>An entry of the addressee itself, or one whose content does not address the addressee
 *       ({@link Addressees}), is refused: the sender is at fault ({@link RejectReason#WRONG_TOPIC},
 *       {@link RejectReason#NOT_ADDRESSED}).
 *   <li>A blocked or muted writer's entry is dropped (a blocked one is never stored: the block is
 *       stronger than a mute); one held already (chained or loose) is a duplicate.
 *   <li>The chain rules run against the store. Where the store holds none of the writer's root log,
 *       the delegation proof stands in for it (the device counts as delegated); where it holds
 *       some, the store's word stands, so a revoked device's later entry is refused as any other
 *       ({@link RejectReason#REVOKED_DEVICE}, not the sender's fault: see {@link
 *       RejectReason#senderAtFault}).
 *   <li>The next entry of a chain whose root log is held, and a fork, go the way of any received
 *       entry ({@link Decision.Chain}).
 *   <li>Anything else the rules allow (beyond the held head, or a writer whose root log is not
 *       held) is stored loose ({@link PostStore#applyLoose}), if {@link LooseLimits} admits it;
 *       else it is dropped and counted. Limits are IGNORE, never the forwarder's fault: pubsub here
 *       is unsigned, so a forwarder cannot be told from the flooder, and every honest node applies
 *       the same bound, which keeps a flood to its first hop.
 * </ol>
 *
 * <p>An entry this node asked a peer for by reference ({@link #decideAsked}) skips the addressee
 * checks (step 1) and the limits (step 5): it addresses nobody in particular, and the sync session
 * bounds what a peer can send (only entries asked for, at most {@code
 * SyncLimits.MAX_REFS_PER_SESSION} a session).
 */
final class AddressedIngest {
  /** The answer of {@link #decide}. */
  sealed interface Decision {
    record Refuse(RejectReason reason, String detail) implements Decision {}

    record Drop(Engine.Counter counter, String why) implements Decision {}

    record Chain() implements Decision {}

    record Loose() implements Decision {}
  }

  private final PostStore store;
  private final ChainChecker checker;
  private final LooseLimits limits;

  AddressedIngest(PostStore store, ChainChecker checker, LooseLimits.Config limits) {
    this.store = store;
    this.checker = checker;
    this.limits = new LooseLimits(limits);
  }

  Decision decide(LogEntry entry, Identity addressee, long nowMillis) {
    Identity writer = entry.header().identity();
    if (writer.equals(addressee)) {
      return new Decision.Refuse(
          RejectReason.WRONG_TOPIC, "an entry of " + writer + " on its own addressee topic");
    }
    if (entry.content().map(c -> !Addressees.addresses(c, addressee)).orElse(true)) {
      return new Decision.Refuse(
          RejectReason.NOT_ADDRESSED,
          "entry " + entry.id() + " of " + writer + " does not address " + addressee);
    }
    Decision d = againstStore(entry, nowMillis);
    if (d != null) {
      return d;
    }
    return switch (limits.admit(writer, addressee, entry.header().contentSize(), nowMillis)) {
      case ADMITTED -> new Decision.Loose();
      case OVER_WRITER_LIMIT ->
          new Decision.Drop(
              Engine.Counter.IGNORED_WRITER_LIMIT,
              writer + " is over its limit of addressed entries");
      case OVER_ADDRESSEE_LIMIT ->
          new Decision.Drop(
              Engine.Counter.IGNORED_ADDRESSEE_LIMIT,
              addressee + " is over its limit of addressed entries from strangers");
    };
  }

  /** An entry fetched by reference (sync.proto step 5a): steps 2 to 4, else loose. */
  Decision decideAsked(LogEntry entry, long nowMillis) {
    // AddressedValidator has checked that it is a device-log entry with its content.
    Decision d = againstStore(entry, nowMillis);
    return d != null ? d : new Decision.Loose();
  }

  /** Steps 2 to 4: the decision, or null for an entry to store loose. */
  private Decision againstStore(LogEntry entry, long nowMillis) {
    Identity writer = entry.header().identity();
    if (store.isBlocked(writer)) {
      return new Decision.Drop(
          Engine.Counter.IGNORED_BLOCKED, "identity " + writer + " is blocked");
    }
    if (store.isMuted(writer)) {
      return new Decision.Drop(Engine.Counter.IGNORED_MUTED, "identity " + writer + " is muted");
    }
    if (store.entryById(entry.id()).isPresent()) {
      return new Decision.Drop(Engine.Counter.DUPLICATE, "held already");
    }
    boolean known =
        store.deviceStatus(writer, entry.header().author()).state() != DeviceStatus.State.UNKNOWN;
    ChainOutcome o = checker.check(entry, new ProvenDevice(store, entry), nowMillis);
    if (o instanceof ChainOutcome.Rejected r) {
      return new Decision.Refuse(r.reason(), r.detail());
    } else if (o instanceof ChainOutcome.Duplicate) {
      return new Decision.Drop(Engine.Counter.DUPLICATE, "held already");
    } else if (o instanceof ChainOutcome.Fork || (o instanceof ChainOutcome.Append && known)) {
      return new Decision.Chain();
    }
    return null;
  }

  /** The store, with the proven device of {@code entry} delegated if the store does not know it. */
  private record ProvenDevice(LogView store, LogEntry entry) implements LogView {
    @Override
    public long contiguousHead(AuthorKey author) {
      return store.contiguousHead(author);
    }

    @Override
    public Optional<SignedEntry> entry(AuthorKey author, long seq) {
      return store.entry(author, seq);
    }

    @Override
    public DeviceStatus deviceStatus(Identity identity, AuthorKey device) {
      DeviceStatus held = store.deviceStatus(identity, device);
      boolean proven =
          identity.equals(entry.header().identity()) && device.equals(entry.header().author());
      return proven && held.state() == DeviceStatus.State.UNKNOWN ? DeviceStatus.ACTIVE : held;
    }
  }
}
