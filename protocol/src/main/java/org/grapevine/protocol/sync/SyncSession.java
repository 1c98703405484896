package org.grapevine.protocol.sync;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.collect.SmallSortedSet;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.internal.SmallLongMap;
import org.grapevine.protocol.proto.ContentItem;
import org.grapevine.protocol.proto.Contents;
import org.grapevine.protocol.proto.Entries;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.Heads;
import org.grapevine.protocol.proto.IdentityHeads;
import org.grapevine.protocol.proto.LogHeadSeq;
import org.grapevine.protocol.proto.NamedHeads;
import org.grapevine.protocol.proto.SeqRange;
import org.grapevine.protocol.proto.SyncError;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.proto.Want;
import org.grapevine.protocol.proto.WantContent;
import org.grapevine.protocol.proto.WantHeads;

/**
 * One side of a catch-up sync stream, {@code /grapevine/sync/1.0.0} (docs/ARCHITECTURE.md,
 * "Catch-up sync"; the exchange is described in sync.proto). Both sides run the same class: each
 * fetches what it lacks (client role) and serves what the peer lacks (server role).
 *
 * <p>Sans-I/O: no sockets, threads or clocks. Not thread-safe: confine to the node's loop, which
 * must also own the {@link SyncSource}.
 *
 * <p>Method kinds:
 *
 * <ul>
 *   <li>inputs: {@link #handleMessage} (one decoded length-delimited frame), {@link
 *       #handleFramingError} (bytes that do not split into frames), {@link #handleTimeout};
 *   <li>commands from the node: {@link #acknowledge}, {@link #rejectEntries}, {@link
 *       #requestRange}, {@link #cancel};
 *   <li>outputs: after any input or command drain {@link #pollOutbound} until empty, then {@link
 *       #pollTimeout}, then {@link #pollEvent} until empty.
 * </ul>
 *
 * Inputs must carry non-decreasing time.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>The peer is never trusted. Every message is size-checked before decoding; identities, logs,
 *       ranges and credit are capped ({@link SyncLimits}); an entry is accepted only if it is the
 *       next seq of the oldest open range this side asked for, and only within credit. Anything
 *       else fails the session with the peer at fault, and the offending batch is not passed on:
 *       the node never sees a batch that broke the protocol.
 *   <li>Structural checks only: the node verifies signatures and chains (EntryValidator,
 *       ChainChecker) and reports an invalid entry with {@link #rejectEntries}.
 *   <li>Back-pressure: at most {@link SyncLimits#creditWindowBatches} batches are ever granted and
 *       not yet {@link #acknowledge acknowledged} by the node, so a slow store slows the peer.
 *   <li>A failure queues an Error for the peer (unless the peer sent one) and emits {@link
 *       SyncEvent.Failed}; completion emits {@link SyncEvent.Completed}. After either, inputs are
 *       ignored and the node closes the stream once the outbound queue is drained.
 *   <li>Idle timeout: the session fails with {@link SyncErrorCode#TIMEOUT} when nothing arrives
 *       from the peer for {@link SyncLimits#idleTimeoutNanos}.
 *   <li>Sync by name (sync.proto step 2a): once the peer's Heads are complete, if it answers by
 *       name, this side names the identities it follows that the peer did not advertise, one
 *       WantHeads at a time; the identities the peer answers are fetched (ranges, then content) as
 *       the ones both follow. As a server, this side answers every named identity it holds (root
 *       log head above 0), followed or not, and serves ranges and content of the identities it
 *       answered as of those it follows. A peer naming more than {@link
 *       SyncLimits#MAX_NAMES_PER_WANT} at once or {@link SyncLimits#MAX_NAMES_PER_SESSION} in all
 *       fails the session ({@link SyncErrorCode#TOO_MANY_NAMES}).
 *   <li>Entries by reference (sync.proto step 5a, {@link RefExchange}): when the content is listed,
 *       if the peer answers refs, this side asks for {@link SyncSource#wantedEntries}, one
 *       WantEntries at a time, and passes each checked answer on as {@link
 *       SyncEvent.EntriesByRefReceived}; Done waits for the last answer. As a server, it answers
 *       each WantEntries at once with what {@link SyncSource#entryByRef} holds, of any identity. A
 *       peer asking for more than {@link SyncLimits#MAX_REFS_PER_WANT} at once or {@link
 *       SyncLimits#MAX_REFS_PER_SESSION} in all fails the session ({@link
 *       SyncErrorCode#TOO_MANY_REFS}); an item not asked for fails it too ({@link
 *       SyncErrorCode#UNREQUESTED_ENTRIES}).
 * </ol>
 *
 * <p>Discrepancies: a side that follows more than {@link SyncLimits#MAX_SESSION_IDENTITIES}
 * identities, or would open more than {@link SyncLimits#MAX_OPEN_RANGES} ranges, syncs the first
 * ones (in key order) now and the rest in a later session; one that would name more than {@link
 * SyncLimits#MAX_NAMES_PER_SESSION} names those it holds nothing of and a window of the rest that
 * moves with the session's {@code round}.
 */
public final class SyncSession {
  private enum State {
    RUNNING,
    COMPLETED,
    FAILED
  }

  private final SyncLimits limits;

  /**
   * The identities followed, sorted and distinct as a TreeSet holds them, in an array: a simulation
   * runs hundreds of thousands of sessions at once, and a TreeSet spends 40 bytes per member.
   */
  private final Identity[] follows;

  private final SyncSource source;
  // The deques start at the smallest capacity and grow as used (a default one allocates 17 slots
  // at once, and most of a session's queues stay empty or short).
  // Made when something is queued, dropped when drained: a session waiting for its peer holds
  // neither (a simulation holds millions of waiting sessions at once).
  private ArrayDeque<byte[]> outbound;
  private ArrayDeque<SyncEvent> events;
  private State state = State.RUNNING;
  private long lastReceivedNanos;

  // Client role: what we fetch.
  private ArrayDeque<OpenRange> fetching;

  /** Highest seq asked for per log in this session, so overlapping asks are not repeated. */
  private SmallLongMap<AuthorKey> askedTo; // Made on first use, as the collections at the end.

  private boolean peerHeadsComplete;

  /** The peer said it answers WantContent (a peer of the first release does not). */
  private boolean peerAnswersContent;

  /** The peer said it answers WantHeads (a peer before sync by name does not). */
  private boolean peerAnswersByName;

  /** The peer said it answers WantEntries (a peer before entries by reference does not). */
  private boolean peerAnswersRefs;

  /** Entries asked for and served by reference (sync.proto step 5a). */
  private RefExchange byRef; // Made when refs are to be asked for or the peer asks: rarely.

  /** Which window of names this session takes when there are too many ({@link NameChoice}). */
  private final long round;

  /** Identities to name to the peer, and those named in the WantHeads open (step 2a). */
  private ArrayDeque<Identity> namesToAsk;

  private Set<Identity> namesAsked;

  /**
   * Identities not to name: the peer said earlier, on this connection, that it holds nothing of
   * them ({@link #notHeldByPeer}); it gains an identity's entries only by following it, and then
   * advertises it in its Heads, so asking again would only cost a round trip.
   */
  private Set<Identity> skipNames;

  /** Identities this session named that the peer answered without: it holds nothing of them. */
  private Set<Identity> notHeldByPeer;

  private int peerIdentities;
  private int creditGranted;
  private ArrayDeque<Integer> unackedBatches;
  private long unackedEntries;
  private long ackedCarry;
  private boolean doneSent;

  /**
   * Identities we follow that the peer advertised or answered by name: whose missing content we ask
   * it for.
   */
  private Set<Identity> shared;

  /** Whether the content to ask for has been listed (once the names are answered). */
  private boolean contentListed;

  /** Content to ask the peer for (known once its Heads are complete), and the WantContent open. */
  private ArrayDeque<ContentRef> contentToAsk;

  private List<ContentRef> contentAsked = List.of(); // A list of its own while a want is open.

  // Server role: what we serve.
  private ArrayDeque<OpenRange> serving;

  /** WantContent messages of the peer not answered yet, each answered by one Contents. */
  private ArrayDeque<List<ContentRef>> contentWanted;

  /**
   * Identities we do not follow that we answered the peer's WantHeads with: served as followed ones
   * for the rest of the session.
   */
  private Set<Identity> answeredByName;

  /** Identities the peer named so far, against {@link SyncLimits#MAX_NAMES_PER_SESSION}. */
  private int namesReceived;

  private int peerCredit;
  private boolean peerDone;

  // Reported counts (SyncStats). Ranges, batches and entries as ints: 24 bytes less on each of the
  // hundreds of thousands of sessions a simulation holds at once, and 2^31 entries in one session
  // would be hundreds of gigabytes (a count that large would only misreport); bytes as longs.
  private int rangesRequested;
  private int entriesReceived;
  private int batchesReceived;
  private long bytesReceived;
  private int rangesServed;
  private int entriesSent;
  private int batchesSent;
  private long bytesSent;

  /**
   * Starts a session and queues this side's Heads.
   *
   * @param follows the identities this node follows (its own among them)
   * @throws IllegalArgumentException if {@code follows} has more than {@link
   *     SyncLimits#MAX_SESSION_IDENTITIES} identities (split them over sessions)
   */
  public SyncSession(
      Collection<Identity> follows, SyncSource source, SyncLimits limits, long nowNanos) {
    this(follows, source, limits, 0, nowNanos);
  }

  /**
   * As above; {@code round} (0, 1, ... one per session with the same follows) picks which window of
   * names this session takes when it would name more than {@link SyncLimits#MAX_NAMES_PER_SESSION}.
   */
  public SyncSession(
      Collection<Identity> follows,
      SyncSource source,
      SyncLimits limits,
      long round,
      long nowNanos) {
    this(sortedArray(follows), source, limits, round, nowNanos);
  }

  /**
   * As above, with the identities followed as an array in key order without repeats, which the
   * session keeps as it is: a node may share one array among its sessions (a simulation holds
   * millions of sessions at once), and must not change it.
   *
   * @throws IllegalArgumentException if the array is too long, holds null, or is not in strictly
   *     ascending order
   */
  public SyncSession(
      Identity[] sortedFollows, SyncSource source, SyncLimits limits, long round, long nowNanos) {
    checkSortedArray(sortedFollows);
    this.follows = sortedFollows;
    this.source = source;
    this.limits = limits;
    this.round = round;
    this.lastReceivedNanos = nowNanos;
    sendHeads();
  }

  /** The identities in key order without repeats, as {@link #follows} holds them. */
  public static Identity[] sortedArray(Collection<Identity> identities) {
    return new TreeSet<>(identities).toArray(new Identity[0]);
  }

  private static void checkSortedArray(Identity[] follows) {
    if (follows.length > SyncLimits.MAX_SESSION_IDENTITIES) {
      throw new IllegalArgumentException(
          follows.length
              + " identities, a session takes at most "
              + SyncLimits.MAX_SESSION_IDENTITIES);
    }
    for (int i = 0; i < follows.length; i++) {
      if (follows[i] == null || (i > 0 && follows[i - 1].compareTo(follows[i]) >= 0)) {
        throw new IllegalArgumentException(
            "the identities followed must be in key order without repeats or nulls");
      }
    }
  }

  /**
   * Identities not to name to this peer (sync.proto step 2a), because it answered earlier on the
   * same connection that it holds nothing of them ({@link #notHeldByPeer()} of an earlier session).
   * Call before the first {@link #handleMessage}; without it every session names every followed
   * identity the peer does not advertise, a round trip each time for nothing.
   */
  public void skipNames(Collection<Identity> identities) {
    if (!identities.isEmpty()) {
      skipNamesSet().addAll(identities);
    }
  }

  /** The identities this session named that the peer answered it holds nothing of, so far. */
  public Set<Identity> notHeldByPeer() {
    return notHeldByPeer == null ? Set.of() : Collections.unmodifiableSet(notHeldByPeer);
  }

  // ---- inputs ----

  /** One message from the peer, without its length prefix. */
  public void handleMessage(byte[] message, long nowNanos) {
    if (state != State.RUNNING) {
      return;
    }
    lastReceivedNanos = nowNanos;
    try {
      SyncMessage m = SyncMessageCodec.decode(message);
      switch (m.getBodyCase()) {
        case HEADS -> onHeads(m.getHeads());
        case WANT -> onWant(m.getWant());
        case ENTRIES -> onEntries(m.getEntries());
        case CREDIT -> onCredit(m.getCredit().getBatches());
        case DONE -> onDone();
        case ERROR -> onError(m.getError());
        case WANT_CONTENT -> onWantContent(m.getWantContent());
        case CONTENTS -> onContents(m.getContents());
        case WANT_HEADS -> onWantHeads(m.getWantHeads());
        case NAMED_HEADS -> onNamedHeads(m.getNamedHeads());
        case WANT_ENTRIES -> onWantEntries(m);
        case ENTRIES_BY_REF -> onEntriesByRef(m);
        default ->
            throw new SyncProtocolException(
                SyncErrorCode.MALFORMED_MESSAGE, "unknown body " + m.getBodyCase());
      }
    } catch (SyncProtocolException e) {
      fail(e.code(), SyncEvent.Fault.PEER, e.getMessage());
    }
    progress();
  }

  /**
   * The stream adapter could not split the peer's bytes into messages: a length over {@link
   * SyncLimits#MAX_MESSAGE_BYTES} ({@link SyncErrorCode#MESSAGE_TOO_LARGE}) or a malformed length
   * ({@link SyncErrorCode#MALFORMED_MESSAGE}). Fails the session, the peer at fault.
   *
   * @throws IllegalArgumentException for a code that is not the peer's fault
   */
  public void handleFramingError(SyncErrorCode code, String detail, long nowNanos) {
    if (!code.peerFault()) {
      throw new IllegalArgumentException(code + " is not a framing error of the peer");
    }
    if (state == State.RUNNING) {
      fail(code, SyncEvent.Fault.PEER, detail);
    }
  }

  /**
   * The clock reached a deadline from {@link #pollTimeout} (or any time; early calls do nothing).
   */
  public void handleTimeout(long nowNanos) {
    if (state == State.RUNNING && nowNanos - lastReceivedNanos >= limits.idleTimeoutNanos()) {
      fail(
          SyncErrorCode.TIMEOUT,
          SyncEvent.Fault.LOCAL,
          "nothing from the peer for " + (nowNanos - lastReceivedNanos) / 1_000_000 + " ms");
    }
  }

  // ---- commands ----

  /**
   * The node has validated and stored (or dropped as duplicates) {@code entries} more of the
   * entries from {@link SyncEvent.EntriesReceived}; frees credit for the peer.
   *
   * @throws IllegalArgumentException if more entries are acknowledged than were received
   */
  public void acknowledge(int entries, long nowNanos) {
    if (entries < 0 || entries > unackedEntries) {
      throw new IllegalArgumentException(
          "acknowledging " + entries + " entries, " + unackedEntries + " unacknowledged");
    }
    unackedEntries -= entries;
    ackedCarry += entries;
    if (state == State.RUNNING) {
      releaseAcknowledged();
      progress();
    }
  }

  /** The node found an entry from the peer invalid: fail the session, the peer at fault. */
  public void rejectEntries(String detail, long nowNanos) {
    if (state == State.RUNNING) {
      fail(SyncErrorCode.INVALID_ENTRY, SyncEvent.Fault.PEER, detail);
    }
  }

  /** The node ends the session (shutting down, peer gone). */
  public void cancel(String detail, long nowNanos) {
    if (state == State.RUNNING) {
      fail(SyncErrorCode.CANCELLED, SyncEvent.Fault.LOCAL, detail);
    }
  }

  /**
   * Asks the peer for seqs {@code fromSeq..toSeq} of a log, for a gap the node found. The peer
   * serves what it holds of the range. Returns false, asking nothing, once this side has said Done
   * or the session is over: the node then opens a new session.
   */
  public boolean requestRange(
      Identity identity, AuthorKey author, long fromSeq, long toSeq, long nowNanos) {
    if (fromSeq < 1 || toSeq < fromSeq) {
      throw new IllegalArgumentException("range " + fromSeq + ".." + toSeq);
    }
    if (state != State.RUNNING || doneSent || size(fetching) >= SyncLimits.MAX_OPEN_RANGES) {
      return false;
    }
    OpenRange range = new OpenRange(identity, author, fromSeq, toSeq, true);
    askedToMap().putMax(author, toSeq);
    sendWant(List.of(range));
    progress();
    return true;
  }

  // ---- outputs ----

  private void send(byte[] message) {
    if (outbound == null) {
      outbound = new ArrayDeque<>(2);
    }
    outbound.add(message);
  }

  private void emit(SyncEvent event) {
    if (events == null) {
      events = new ArrayDeque<>(2);
    }
    events.add(event);
  }

  /** The next message for the peer, without its length prefix. */
  public Optional<byte[]> pollOutbound() {
    if (outbound == null) {
      return Optional.empty();
    }
    byte[] next = outbound.pollFirst();
    if (outbound.isEmpty()) {
      outbound = null;
    }
    return Optional.of(next);
  }

  /** When to call {@link #handleTimeout}, in the caller's nanos; empty once the session is over. */
  public OptionalLong pollTimeout() {
    return state == State.RUNNING ? OptionalLong.of(idleDeadline()) : OptionalLong.empty();
  }

  /**
   * {@link #pollTimeout}'s deadline as a plain long, {@link Long#MAX_VALUE} when over: for a caller
   * that takes the earliest of many sessions' deadlines after every event.
   */
  public long idleDeadline() {
    return state == State.RUNNING ? lastReceivedNanos + limits.idleTimeoutNanos() : Long.MAX_VALUE;
  }

  public Optional<SyncEvent> pollEvent() {
    if (events == null) {
      return Optional.empty();
    }
    SyncEvent next = events.pollFirst();
    if (events.isEmpty()) {
      events = null;
    }
    return Optional.of(next);
  }

  public boolean isOver() {
    return state != State.RUNNING;
  }

  public SyncStats stats() {
    return new SyncStats(
        rangesRequested,
        entriesReceived,
        batchesReceived,
        bytesReceived,
        rangesServed,
        entriesSent,
        batchesSent,
        bytesSent);
  }

  // ---- client role ----

  private void sendHeads() {
    List<IdentityHeads> chunk = new ArrayList<>();
    for (Identity identity : follows) {
      chunk.add(identityHeads(identity));
      if (chunk.size() == SyncLimits.MAX_HEADS_IDENTITIES) {
        send(SyncMessageCodec.heads(chunk, false));
        chunk = new ArrayList<>();
      }
    }
    send(SyncMessageCodec.heads(chunk, true));
  }

  /**
   * Root log first, then devices in key order, up to MAX_LOGS_PER_IDENTITY; empty logs left out.
   */
  private IdentityHeads identityHeads(Identity identity) {
    IdentityHeads.Builder b =
        IdentityHeads.newBuilder().setIdentity(SyncMessageCodec.bytes(identity));
    Map<AuthorKey, Long> held = source.heads(identity);
    Long rootHead = held.get(identity.root());
    if (rootHead != null && rootHead > 0) {
      b.addLogs(
          LogHeadSeq.newBuilder()
              .setAuthor(SyncMessageCodec.bytes(identity.root()))
              .setHead(rootHead));
    }
    // The device logs in key order (a list sorted here: nearly always one or two, and sessions
    // are opened by the hundred thousand in a simulation, where a TreeMap per call showed).
    List<Map.Entry<AuthorKey, Long>> devices = new ArrayList<>(held.size());
    for (Map.Entry<AuthorKey, Long> e : held.entrySet()) {
      if (!e.getKey().equals(identity.root())) {
        devices.add(e);
      }
    }
    devices.sort(Map.Entry.comparingByKey());
    for (Map.Entry<AuthorKey, Long> e : devices) {
      if (b.getLogsCount() == SyncLimits.MAX_LOGS_PER_IDENTITY) {
        break;
      }
      if (e.getValue() > 0) {
        b.addLogs(
            LogHeadSeq.newBuilder()
                .setAuthor(SyncMessageCodec.bytes(e.getKey()))
                .setHead(e.getValue()));
      }
    }
    return b.build();
  }

  private void onHeads(Heads heads) throws SyncProtocolException {
    if (peerHeadsComplete) {
      throw new SyncProtocolException(
          SyncErrorCode.PROTOCOL_VIOLATION, "Heads after the last Heads");
    }
    int n = heads.getIdentitiesCount();
    if (n > SyncLimits.MAX_HEADS_IDENTITIES
        || peerIdentities + n > SyncLimits.MAX_SESSION_IDENTITIES) {
      throw new SyncProtocolException(
          SyncErrorCode.TOO_MANY_ITEMS,
          n
              + " identities in Heads, "
              + peerIdentities
              + " before; limits "
              + SyncLimits.MAX_HEADS_IDENTITIES
              + " and "
              + SyncLimits.MAX_SESSION_IDENTITIES);
    }
    peerIdentities += n;
    List<OpenRange> wants = new ArrayList<>();
    for (IdentityHeads ih : heads.getIdentitiesList()) {
      Identity decoded = Identity.of(SyncMessageCodec.key(ih.getIdentity(), "identity"));
      // Kept (shared set, open ranges, asked-up-to keys) as this session's own instance, not the
      // decoded copy: a simulation holds hundreds of thousands of sessions at once.
      Identity followed = followed(decoded);
      wants.addAll(rangesBehind(followed != null ? followed : decoded, ih));
      if (followed != null) {
        sharedSet().add(followed);
      }
    }
    peerHeadsComplete = heads.getLast();
    peerAnswersContent |= heads.getAnswersContent();
    peerAnswersByName |= heads.getAnswersByName();
    peerAnswersRefs |= heads.getAnswersRefs();
    if (!wants.isEmpty()) {
      sendWant(wants);
    }
    if (peerHeadsComplete) {
      if (peerAnswersByName) {
        queueNames();
        askNames();
      }
      listContent();
    }
  }

  /** The identities we follow that the peer did not advertise, to ask it for by name. */
  private void queueNames() {
    TreeSet<Identity> unadvertised = new TreeSet<>(Arrays.asList(follows));
    if (shared != null) {
      unadvertised.removeAll(shared);
    }
    if (skipNames != null) {
      unadvertised.removeAll(skipNames);
    }
    namesToAskQueue()
        .addAll(
            NameChoice.choose(
                unadvertised,
                i -> source.contiguousHead(i.root()) == 0,
                SyncLimits.MAX_NAMES_PER_SESSION,
                round));
  }

  /** Sends the next WantHeads, when none is open. */
  private void askNames() {
    if (!isEmpty(namesAsked) || isEmpty(namesToAsk)) {
      return;
    }
    while (!isEmpty(namesToAsk) && size(namesAsked) < SyncLimits.MAX_NAMES_PER_WANT) {
      namesAskedSet().add(namesToAskQueue().pollFirst());
    }
    if (namesToAsk.isEmpty()) {
      namesToAsk = null; // Most sessions ask one WantHeads; the empty queue would outlive it.
    }
    send(SyncMessageCodec.wantHeads(namesAskedSet()));
  }

  /**
   * Once the peer's Heads are complete and every name is answered: the content we hold entries of
   * without it, of identities we fetch from this peer, which the peer may hold.
   */
  private void listContent() {
    if (contentListed || !peerHeadsComplete || !isEmpty(namesAsked) || !isEmpty(namesToAsk)) {
      return;
    }
    contentListed = true;
    if (peerAnswersContent) {
      List<ContentRef> missing =
          source.missingContent(
              shared == null ? Set.of() : shared, SyncLimits.MAX_CONTENT_PER_SESSION);
      if (!missing.isEmpty()) { // no empty queue for the rest of the session
        contentToAskQueue().addAll(missing);
      }
      askContent();
    }
    if (peerAnswersRefs) {
      List<EntryRef> wanted = source.wantedEntries(SyncLimits.MAX_REFS_PER_SESSION);
      if (!wanted.isEmpty()) {
        refExchange().ask(wanted);
        byRef.nextWant().ifPresent(this::send);
      }
    }
  }

  /** The answer to our open WantEntries (step 5a), checked whole before it is passed on. */
  private void onEntriesByRef(SyncMessage m) throws SyncProtocolException {
    List<byte[]> items = refExchange().onEntriesByRef(m.getEntriesByRef());
    if (!items.isEmpty()) {
      emit(new SyncEvent.EntriesByRefReceived(items));
    }
    byRef.nextWant().ifPresent(this::send);
  }

  /** Answers one WantEntries at once, without credit (step 5a). */
  private void onWantEntries(SyncMessage m) throws SyncProtocolException {
    if (peerDone) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "WantEntries after Done");
    }
    send(refExchange().onWantEntries(m.getWantEntries()));
  }

  /** The answer to our open WantHeads: heads of the named identities the peer holds. */
  private void onNamedHeads(NamedHeads named) throws SyncProtocolException {
    int n = named.getIdentitiesCount();
    if (isEmpty(namesAsked) || n > size(namesAsked)) {
      throw new SyncProtocolException(
          SyncErrorCode.PROTOCOL_VIOLATION,
          "NamedHeads of " + n + " identities, " + size(namesAsked) + " named");
    }
    List<OpenRange> wants = new ArrayList<>();
    Set<Identity> answered = new TreeSet<>();
    for (IdentityHeads ih : named.getIdentitiesList()) {
      Identity identity = Identity.of(SyncMessageCodec.key(ih.getIdentity(), "identity"));
      if (!contains(namesAsked, identity) || !answered.add(identity)) {
        throw new SyncProtocolException(
            SyncErrorCode.PROTOCOL_VIOLATION,
            "NamedHeads for " + identity + ", not named or answered twice");
      }
      wants.addAll(rangesBehind(identity, ih));
    }
    sharedSet().addAll(answered);
    for (Identity asked : namesAskedSet()) {
      if (!answered.contains(asked)) {
        notHeldByPeerSet().add(asked);
      }
    }
    namesAsked = null;
    if (!wants.isEmpty()) {
      sendWant(wants);
    }
    askNames();
    listContent();
  }

  /** Sends the next WantContent, when none is open. */
  private void askContent() {
    if (!contentAsked.isEmpty() || isEmpty(contentToAsk)) {
      return;
    }
    contentAsked = new ArrayList<>();
    while (!isEmpty(contentToAsk) && contentAsked.size() < SyncLimits.MAX_CONTENT_PER_WANT) {
      contentAsked.add(contentToAskQueue().pollFirst());
    }
    send(SyncMessageCodec.wantContent(contentAsked));
  }

  /** The answer to our open WantContent: every item checked before anything is passed on. */
  private void onContents(Contents contents) throws SyncProtocolException {
    int n = contents.getItemsCount();
    if (contentAsked.isEmpty() || n > contentAsked.size()) {
      throw new SyncProtocolException(
          SyncErrorCode.UNREQUESTED_CONTENT,
          n + " content items, " + contentAsked.size() + " asked for");
    }
    if (creditGranted == 0) {
      throw new SyncProtocolException(SyncErrorCode.FLOW_CONTROL, "Contents without credit");
    }
    if (n < contentAsked.size()) {
      throw new SyncProtocolException(
          SyncErrorCode.PROTOCOL_VIOLATION,
          "Contents answers " + n + " of the " + contentAsked.size() + " hashes asked for");
    }
    List<FetchedContent> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ContentItem item = contents.getItems(i);
      ContentRef asked = contentAsked.get(i);
      ContentHash hash = SyncMessageCodec.hash(item.getHash());
      if (!hash.equals(asked.hash())) {
        throw new SyncProtocolException(
            SyncErrorCode.UNREQUESTED_CONTENT,
            "content item " + i + " is for hash " + hash + ", asked for " + asked.hash());
      }
      if (!item.hasContent()) {
        continue; // The peer does not hold it.
      }
      if (item.getContent().size() > Limits.MAX_CONTENT_BYTES) {
        throw new SyncProtocolException(
            SyncErrorCode.MESSAGE_TOO_LARGE,
            "content of "
                + item.getContent().size()
                + " bytes, at most "
                + Limits.MAX_CONTENT_BYTES);
      }
      byte[] bytes = item.getContent().toByteArray();
      if (!ContentHash.ofContent(bytes).equals(hash)) {
        throw new SyncProtocolException(
            SyncErrorCode.CONTENT_MISMATCH, "content does not hash to " + hash);
      }
      got.add(new FetchedContent(asked.identity(), hash, bytes));
    }
    creditGranted--;
    contentAsked = List.of();
    if (!got.isEmpty()) {
      emit(new SyncEvent.ContentReceived(got));
    }
    askContent();
  }

  /**
   * Checks every log the peer advertises for one identity (followed or not, so that a bad message
   * is refused whatever we follow); returns the ranges it is ahead on if we follow the identity,
   * root log first.
   */
  private List<OpenRange> rangesBehind(Identity identity, IdentityHeads ih)
      throws SyncProtocolException {
    if (ih.getLogsCount() > SyncLimits.MAX_LOGS_PER_IDENTITY) {
      throw new SyncProtocolException(
          SyncErrorCode.TOO_MANY_ITEMS,
          ih.getLogsCount()
              + " logs for one identity, at most "
              + SyncLimits.MAX_LOGS_PER_IDENTITY);
    }
    List<Map.Entry<AuthorKey, Long>> theirs = new ArrayList<>(ih.getLogsCount());
    for (LogHeadSeq log : ih.getLogsList()) {
      AuthorKey author = SyncMessageCodec.key(log.getAuthor(), "author");
      if (log.getHead() < 0) {
        throw new SyncProtocolException(
            SyncErrorCode.MALFORMED_MESSAGE, "head " + Long.toUnsignedString(log.getHead()));
      }
      theirs.add(Map.entry(author, log.getHead()));
    }
    if (!follows(identity)) {
      return List.of();
    }
    // In key order, a log named twice at its highest head; the root log first. (A sorted list,
    // not a TreeMap: one or two logs nearly always, for every identity of every session.)
    theirs.sort(Map.Entry.comparingByKey());
    long rootHead = -1; // Heads are checked non-negative above.
    List<Map.Entry<AuthorKey, Long>> devices = new ArrayList<>(theirs.size());
    for (int i = 0; i < theirs.size(); i++) {
      AuthorKey author = theirs.get(i).getKey();
      long head = theirs.get(i).getValue();
      while (i + 1 < theirs.size() && theirs.get(i + 1).getKey().equals(author)) {
        head = Math.max(head, theirs.get(++i).getValue());
      }
      if (author.equals(identity.root())) {
        rootHead = head;
      } else {
        devices.add(Map.entry(author, head));
      }
    }
    List<OpenRange> ranges = new ArrayList<>();
    if (rootHead >= 0) {
      addIfBehind(ranges, identity, identity.root(), rootHead);
    }
    for (Map.Entry<AuthorKey, Long> e : devices) {
      addIfBehind(ranges, identity, e.getKey(), e.getValue());
    }
    return ranges;
  }

  private void addIfBehind(
      List<OpenRange> ranges, Identity identity, AuthorKey author, long theirHead) {
    long from =
        Math.max(source.contiguousHead(author), askedTo == null ? 0L : askedTo.get(author, 0L)) + 1;
    if (theirHead >= from && size(fetching) + ranges.size() < SyncLimits.MAX_OPEN_RANGES) {
      ranges.add(new OpenRange(identity, author, from, theirHead, true));
      askedToMap().put(author, theirHead);
    }
  }

  private void sendWant(List<OpenRange> ranges) {
    for (int i = 0; i < ranges.size(); i += SyncLimits.MAX_RANGES_PER_WANT) {
      send(
          SyncMessageCodec.want(
              ranges.subList(i, Math.min(ranges.size(), i + SyncLimits.MAX_RANGES_PER_WANT))));
    }
    fetchingQueue().addAll(ranges);
    rangesRequested += ranges.size();
  }

  private void onEntries(Entries entries) throws SyncProtocolException {
    int count = entries.getEnvelopesCount();
    if (isEmpty(fetching)) {
      throw new SyncProtocolException(
          SyncErrorCode.UNREQUESTED_ENTRIES, "Entries with no range open");
    }
    if (creditGranted == 0) {
      throw new SyncProtocolException(SyncErrorCode.FLOW_CONTROL, "Entries without credit");
    }
    if (count > SyncLimits.MAX_BATCH_ENTRIES) {
      throw new SyncProtocolException(
          SyncErrorCode.MESSAGE_TOO_LARGE,
          count + " entries in a batch, at most " + SyncLimits.MAX_BATCH_ENTRIES);
    }
    if (count == 0 && !entries.getRangeExhausted()) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "empty Entries");
    }
    List<byte[]> envelopes = checkBatch(entries);
    // The batch is sound: consume the ranges it answers.
    for (int i = 0; i < count; i++) {
      OpenRange r = fetchingQueue().peekFirst();
      r.next++;
      if (r.next > r.to) {
        fetchingQueue().pollFirst();
      }
    }
    if (entries.getRangeExhausted()) {
      fetchingQueue().pollFirst();
    }
    creditGranted--;
    batchesReceived++;
    entriesReceived += count;
    unackedBatchesQueue().addLast(count);
    unackedEntries += count;
    if (count > 0) {
      emit(new SyncEvent.EntriesReceived(envelopes));
    }
    releaseAcknowledged();
  }

  /** Checks sizes and that every envelope is the next one asked for, without changing state. */
  private List<byte[]> checkBatch(Entries entries) throws SyncProtocolException {
    List<byte[]> envelopes = new ArrayList<>(entries.getEnvelopesCount());
    long bytes = 0;
    Iterator<OpenRange> ranges = fetchingQueue().iterator();
    OpenRange range = ranges.next();
    long next = range.next;
    for (Envelope envelope : entries.getEnvelopesList()) {
      if (range == null) {
        throw new SyncProtocolException(
            SyncErrorCode.UNREQUESTED_ENTRIES, "entries beyond every range asked for");
      }
      byte[] encoded = envelope.toByteArray();
      bytes += encoded.length;
      if (encoded.length > Limits.MAX_ENVELOPE_BYTES || bytes > SyncLimits.MAX_BATCH_BYTES) {
        throw new SyncProtocolException(
            SyncErrorCode.MESSAGE_TOO_LARGE,
            "envelope of "
                + encoded.length
                + " bytes (at most "
                + Limits.MAX_ENVELOPE_BYTES
                + "), batch at "
                + bytes
                + " (at most "
                + SyncLimits.MAX_BATCH_BYTES
                + ")");
      }
      Entry header = header(envelope);
      if (!header.getAuthor().equals(SyncMessageCodec.bytes(range.author))
          || !header.getIdentity().equals(SyncMessageCodec.bytes(range.identity))) {
        throw new SyncProtocolException(
            SyncErrorCode.UNREQUESTED_ENTRIES, "entry of another log than " + range);
      }
      if (header.getSeq() != next) {
        throw header.getSeq() > range.to || header.getSeq() < 0
            ? new SyncProtocolException(
                SyncErrorCode.UNREQUESTED_ENTRIES,
                "seq " + Long.toUnsignedString(header.getSeq()) + " beyond the range " + range)
            : new SyncProtocolException(
                SyncErrorCode.OUT_OF_ORDER, "seq " + header.getSeq() + ", expected " + next);
      }
      envelopes.add(encoded);
      next++;
      if (next > range.to) {
        range = ranges.hasNext() ? ranges.next() : null;
        next = range == null ? 0 : range.next;
      }
    }
    if (entries.getRangeExhausted() && range == null) {
      throw new SyncProtocolException(
          SyncErrorCode.PROTOCOL_VIOLATION, "range_exhausted with no range open");
    }
    bytesReceived += bytes;
    return envelopes;
  }

  private static Entry header(Envelope envelope) throws SyncProtocolException {
    if (envelope.getEntry().size() > Limits.MAX_ENTRY_BYTES) {
      throw new SyncProtocolException(
          SyncErrorCode.MESSAGE_TOO_LARGE,
          "entry header of " + envelope.getEntry().size() + " bytes");
    }
    try {
      return Entry.parseFrom(envelope.getEntry());
    } catch (InvalidProtocolBufferException e) {
      throw new SyncProtocolException(
          SyncErrorCode.MALFORMED_MESSAGE, "entry header does not decode: " + e.getMessage());
    }
  }

  /** Frees the batches the node has fully acknowledged, oldest first (empty batches at once). */
  private void releaseAcknowledged() {
    while (!isEmpty(unackedBatches) && unackedBatchesQueue().peekFirst() <= ackedCarry) {
      ackedCarry -= unackedBatchesQueue().pollFirst();
    }
  }

  /** Keeps granted-but-unused plus delivered-but-unacknowledged batches at the window. */
  private void topUpCredit() {
    if (isEmpty(fetching) && contentAsked.isEmpty()) {
      return;
    }
    int grant = limits.creditWindowBatches() - creditGranted - size(unackedBatches);
    if (grant > 0) {
      send(SyncMessageCodec.credit(grant));
      creditGranted += grant;
    }
  }

  // ---- server role ----

  private void onWant(Want want) throws SyncProtocolException {
    if (peerDone) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "Want after Done");
    }
    int n = want.getRangesCount();
    if (n > SyncLimits.MAX_RANGES_PER_WANT || size(serving) + n > SyncLimits.MAX_OPEN_RANGES) {
      throw new SyncProtocolException(
          SyncErrorCode.TOO_MANY_ITEMS,
          n
              + " ranges in Want with "
              + size(serving)
              + " open; limits "
              + SyncLimits.MAX_RANGES_PER_WANT
              + " and "
              + SyncLimits.MAX_OPEN_RANGES);
    }
    List<OpenRange> ranges = new ArrayList<>(n);
    for (SeqRange r : want.getRangesList()) {
      Identity identity = Identity.of(SyncMessageCodec.key(r.getIdentity(), "identity"));
      AuthorKey author = SyncMessageCodec.key(r.getAuthor(), "author");
      if (r.getFromSeq() < 1 || r.getToSeq() < r.getFromSeq()) {
        throw new SyncProtocolException(
            SyncErrorCode.MALFORMED_MESSAGE,
            "range "
                + Long.toUnsignedString(r.getFromSeq())
                + ".."
                + Long.toUnsignedString(r.getToSeq()));
      }
      // Served only if we serve the identity in this session (we follow it, or answered it by
      // name) and hold the log as one of its logs; otherwise answered as exhausted at once (not an
      // error: our logs may have changed since Heads).
      boolean servable =
          serves(identity)
              && (author.equals(identity.root()) || source.heads(identity).containsKey(author));
      ranges.add(new OpenRange(identity, author, r.getFromSeq(), r.getToSeq(), servable));
    }
    servingQueue().addAll(ranges);
  }

  private void onWantContent(WantContent want) throws SyncProtocolException {
    if (peerDone) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "WantContent after Done");
    }
    int n = want.getRefsCount();
    if (n == 0) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "empty WantContent");
    }
    if (n > SyncLimits.MAX_CONTENT_PER_WANT
        || size(contentWanted) >= SyncLimits.MAX_OPEN_CONTENT_WANTS) {
      throw new SyncProtocolException(
          SyncErrorCode.TOO_MANY_ITEMS,
          n
              + " hashes in WantContent with "
              + size(contentWanted)
              + " open; limits "
              + SyncLimits.MAX_CONTENT_PER_WANT
              + " and "
              + SyncLimits.MAX_OPEN_CONTENT_WANTS);
    }
    List<ContentRef> refs = new ArrayList<>(n);
    for (org.grapevine.protocol.proto.ContentRef r : want.getRefsList()) {
      refs.add(
          new ContentRef(
              Identity.of(SyncMessageCodec.key(r.getIdentity(), "identity")),
              SyncMessageCodec.hash(r.getHash())));
    }
    contentWantedQueue().add(refs);
  }

  /**
   * Answers one WantHeads at once (no credit: one answer per want, each bounded as a Heads message)
   * with the heads of every named identity we hold, followed or not.
   */
  private void onWantHeads(WantHeads want) throws SyncProtocolException {
    if (peerDone) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "WantHeads after Done");
    }
    int n = want.getIdentitiesCount();
    if (n == 0) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "empty WantHeads");
    }
    if (n > SyncLimits.MAX_NAMES_PER_WANT || namesReceived + n > SyncLimits.MAX_NAMES_PER_SESSION) {
      throw new SyncProtocolException(
          SyncErrorCode.TOO_MANY_NAMES,
          n
              + " identities named in WantHeads, "
              + namesReceived
              + " before; limits "
              + SyncLimits.MAX_NAMES_PER_WANT
              + " and "
              + SyncLimits.MAX_NAMES_PER_SESSION
              + " per session");
    }
    namesReceived += n;
    Set<Identity> named = new TreeSet<>();
    for (com.google.protobuf.ByteString b : want.getIdentitiesList()) {
      named.add(Identity.of(SyncMessageCodec.key(b, "identity")));
    }
    List<IdentityHeads> held = new ArrayList<>();
    for (Identity identity : named) {
      IdentityHeads heads = identityHeads(identity);
      // Held: its root log, which the session always puts first, has a head above 0.
      if (heads.getLogsCount() > 0
          && heads.getLogs(0).getAuthor().equals(SyncMessageCodec.bytes(identity.root()))) {
        held.add(heads);
        if (!follows(identity)) {
          answeredByNameSet().add(identity);
        }
      }
    }
    send(SyncMessageCodec.namedHeads(held));
  }

  /** Whether the identity is among those followed (by its order, as the TreeSet did). */
  private boolean follows(Identity identity) {
    return Arrays.binarySearch(follows, identity) >= 0;
  }

  /** This session's instance of {@code identity} if it follows it, else null. */
  private Identity followed(Identity identity) {
    int i = Arrays.binarySearch(follows, identity);
    return i >= 0 ? follows[i] : null;
  }

  /** Whether we serve the identity's logs and content in this session. */
  private boolean serves(Identity identity) {
    return follows(identity) || contains(answeredByName, identity);
  }

  private void onCredit(int batches) throws SyncProtocolException {
    if (batches < 1 || batches > SyncLimits.MAX_CREDIT_BATCHES - peerCredit) {
      throw new SyncProtocolException(
          SyncErrorCode.FLOW_CONTROL,
          "credit of "
              + Integer.toUnsignedString(batches)
              + " batches on "
              + peerCredit
              + ", at most "
              + SyncLimits.MAX_CREDIT_BATCHES
              + " in all");
    }
    peerCredit += batches;
  }

  private void onDone() throws SyncProtocolException {
    if (peerDone) {
      throw new SyncProtocolException(SyncErrorCode.PROTOCOL_VIOLATION, "second Done");
    }
    if (!isEmpty(serving) || !isEmpty(contentWanted)) {
      throw new SyncProtocolException(
          SyncErrorCode.PROTOCOL_VIOLATION,
          "Done with "
              + size(serving)
              + " ranges and "
              + size(contentWanted)
              + " content wants unanswered");
    }
    peerDone = true;
  }

  private void onError(SyncError error) {
    String detail = SyncMessageCodec.truncate(error.getDetail());
    state = State.FAILED;
    emit(
        new SyncEvent.Failed(
            SyncErrorCode.ofNumber(error.getCode()), SyncEvent.Fault.REPORTED_BY_PEER, detail));
  }

  /** Answers the peer's WantContent messages in order, one unit of credit each. */
  private void serveContent() {
    while (peerCredit > 0 && !isEmpty(contentWanted)) {
      List<ContentRef> refs = contentWantedQueue().pollFirst();
      List<ContentHash> hashes = new ArrayList<>(refs.size());
      List<byte[]> contents = new ArrayList<>(refs.size());
      for (ContentRef r : refs) {
        hashes.add(r.hash());
        // Only content of identities whose logs we serve, as for ranges.
        contents.add(
            serves(r.identity()) ? source.content(r.identity(), r.hash()).orElse(null) : null);
      }
      send(SyncMessageCodec.contents(hashes, contents));
      peerCredit--;
    }
  }

  /** Sends batches while the peer has credit and ranges are open. */
  private void serve() {
    while (peerCredit > 0 && !isEmpty(serving)) {
      List<byte[]> batch = new ArrayList<>();
      long bytes = 0;
      boolean exhausted = false;
      while (!isEmpty(serving) && batch.size() < limits.batchEntries()) {
        OpenRange r = servingQueue().peekFirst();
        long held = r.servable ? Math.min(r.to, source.contiguousHead(r.author)) : 0;
        if (r.next > held) {
          servingQueue().pollFirst();
          rangesServed++;
          exhausted = true;
          break;
        }
        int want = (int) Math.min(limits.batchEntries() - batch.size(), held - r.next + 1);
        List<LogEntry> got = source.entries(r.author, r.next, want, limits.batchBytes() - bytes);
        for (LogEntry e : got) {
          if (!e.header().author().equals(r.author) || e.header().seq() != r.next) {
            throw new IllegalStateException("SyncSource answered " + e + " for " + r);
          }
          byte[] envelope = e.toEnvelopeBytes();
          bytes += envelope.length;
          batch.add(envelope);
          r.next++;
        }
        if (bytes > limits.batchBytes()
            || got.size() > want
            || (got.isEmpty() && batch.isEmpty())) {
          throw new IllegalStateException(
              "SyncSource broke its contract for "
                  + r
                  + ": "
                  + got.size()
                  + " entries of "
                  + bytes
                  + " bytes");
        }
        if (r.next > r.to) {
          servingQueue().pollFirst();
          rangesServed++;
        }
        if (got.size() < want) {
          break; // The byte limit.
        }
      }
      send(SyncMessageCodec.entries(batch, exhausted));
      peerCredit--;
      batchesSent++;
      entriesSent += batch.size();
      bytesSent += bytes;
    }
  }

  // ---- both ----

  /** After any input or command: serve, grant credit, say Done, complete. */
  private void progress() {
    if (state != State.RUNNING) {
      return;
    }
    serve();
    serveContent();
    topUpCredit();
    if (!doneSent
        && contentListed
        && isEmpty(fetching)
        && contentAsked.isEmpty()
        && isEmpty(contentToAsk)
        && (byRef == null || byRef.settled())) {
      send(SyncMessageCodec.done());
      doneSent = true;
    }
    if (doneSent && peerDone && isEmpty(serving) && isEmpty(contentWanted)) {
      state = State.COMPLETED;
      emit(new SyncEvent.Completed(stats()));
    }
  }

  private void fail(SyncErrorCode code, SyncEvent.Fault fault, String detail) {
    state = State.FAILED;
    send(SyncMessageCodec.error(code, detail));
    emit(new SyncEvent.Failed(code, fault, detail));
    fetching = null;
    serving = null;
    contentToAsk = null;
    contentAsked = List.of();
    contentWanted = null;
    namesToAsk = null;
    namesAsked = null;
    if (byRef != null) {
      byRef.clear();
    }
  }

  // ---- lazily made collections ----
  // A simulation runs hundreds of thousands of sessions at once (every connection syncs when it
  // opens), and most of them never use most of these: each is made on its first write, and a
  // missing one reads as empty (null after a clear is the same as empty).

  private RefExchange refExchange() {
    if (byRef == null) {
      byRef = new RefExchange(source);
    }
    return byRef;
  }

  private ArrayDeque<OpenRange> fetchingQueue() {
    if (fetching == null) {
      fetching = new ArrayDeque<>(1);
    }
    return fetching;
  }

  private ArrayDeque<Identity> namesToAskQueue() {
    if (namesToAsk == null) {
      namesToAsk = new ArrayDeque<>(1);
    }
    return namesToAsk;
  }

  private ArrayDeque<Integer> unackedBatchesQueue() {
    if (unackedBatches == null) {
      unackedBatches = new ArrayDeque<>(1);
    }
    return unackedBatches;
  }

  private ArrayDeque<ContentRef> contentToAskQueue() {
    if (contentToAsk == null) {
      contentToAsk = new ArrayDeque<>(1);
    }
    return contentToAsk;
  }

  private ArrayDeque<OpenRange> servingQueue() {
    if (serving == null) {
      serving = new ArrayDeque<>(1);
    }
    return serving;
  }

  private ArrayDeque<List<ContentRef>> contentWantedQueue() {
    if (contentWanted == null) {
      contentWanted = new ArrayDeque<>(1);
    }
    return contentWanted;
  }

  private Set<Identity> namesAskedSet() {
    if (namesAsked == null) {
      namesAsked = new SmallSortedSet<>();
    }
    return namesAsked;
  }

  private Set<Identity> skipNamesSet() {
    if (skipNames == null) {
      skipNames = new SmallSortedSet<>();
    }
    return skipNames;
  }

  private Set<Identity> notHeldByPeerSet() {
    if (notHeldByPeer == null) {
      notHeldByPeer = new SmallSortedSet<>();
    }
    return notHeldByPeer;
  }

  private Set<Identity> sharedSet() {
    if (shared == null) {
      shared = new SmallSortedSet<>();
    }
    return shared;
  }

  private Set<Identity> answeredByNameSet() {
    if (answeredByName == null) {
      answeredByName = new SmallSortedSet<>();
    }
    return answeredByName;
  }

  private SmallLongMap<AuthorKey> askedToMap() {
    if (askedTo == null) {
      askedTo = new SmallLongMap<>();
    }
    return askedTo;
  }

  private static int size(Collection<?> c) {
    return c == null ? 0 : c.size();
  }

  private static boolean isEmpty(Collection<?> c) {
    return c == null || c.isEmpty();
  }

  private static boolean contains(Collection<?> c, Object o) {
    return c != null && c.contains(o);
  }
}
