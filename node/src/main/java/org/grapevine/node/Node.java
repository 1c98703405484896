package org.grapevine.node;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.core.CoreConfig;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.core.NodeCore;
import org.grapevine.node.core.WriteRefusedException;
import org.grapevine.node.core.WriteRules;
import org.grapevine.node.discovery.DiscoveryService;
import org.grapevine.node.engine.BudgetExceededException;
import org.grapevine.node.engine.BudgetUsage;
import org.grapevine.node.engine.ContentState;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.engine.StoreObserver;
import org.grapevine.node.metrics.MetricsRegistry;
import org.grapevine.node.runtime.CoreDriver;
import org.grapevine.node.runtime.StorageThread;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * A running participant, the composition root: the RocksDB store, the ingestion engine and the
 * {@link NodeCore} (with its GossipSub router) on one storage thread, driven over a libp2p host by
 * {@link CoreDriver} (pubsub streams, sync streams, connections); one GossipSub topic per identity.
 * Follow = write a follow entry; the core subscribes to the identity's topic and syncs it from
 * connected peers that follow it too.
 *
 * <p>Discovery ({@link DiscoveryService}) keeps peers connected: bootstrap, mDNS, the persisted
 * peer table, reconnects with backoff, connection limits; sync also runs periodically.
 *
 * <p>Writes (post, reply, react, follow, ...) run on the storage thread and return once the entry
 * is durable; reads go to {@link #store()} directly. Every stored entry, own or received, reaches
 * the {@link #addEntryListener entry listeners} (the API's event stream).
 */
// Subscriptions, publishes and sync sessions are fired and forgotten here: each reports its own
// failure (sync sessions log their end), and nothing in the node waits on them.
@SuppressWarnings("FutureReturnValueIgnored")
public final class Node implements AutoCloseable {
  private final Identity identity;
  private final SigningKey device;
  private final RocksPostStore store;

  /** Between flushes of other people's entries, which a killed node loses and syncs again. */
  private static final long PERSIST_SECONDS = 30;

  private final StorageThread storageThread = new StorageThread();
  private final ScheduledExecutorService storage = storageThread.executor();
  private final Engine engine;

  private final org.grapevine.node.feeds.LocalFeeds feeds;

  /** Null when {@code [search] enabled = false}. */
  private final SearchIndex search;

  private final NodeMedia media;

  private final Host host;
  private final NodeCore core;
  private final CoreDriver driver;
  private final DiscoveryService discovery;
  private final NodeDht dht;
  private final NodeReach reach;
  private final OwnDevice own;
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final EntryFanOut fanOut = new EntryFanOut(metrics);

  /**
   * Opens (or creates) the store under {@code dataDir}, delegates {@code device} in the identity's
   * root log if the store does not hold that yet and {@code root} is given, and starts networking.
   * A root log is started here only if the root key is here and the data directory created the
   * identity ({@code keys/identity} says {@code created}, see {@link DataDir#identityFile()};
   * identity import brings a root key too, but the identity's root log is elsewhere); otherwise the
   * node syncs its identity's root log from peers and refuses to write ({@link
   * DeviceNotDelegatedException}) until that delegates {@code device} ({@link OwnDevice}). Called
   * by {@link NodeLauncher}, which derives every part's configuration from the node's config
   * ({@link NodeSetup}; its root key is null where the root key is offline). A device key that
   * wrote for another identity is refused ({@link org.grapevine.node.config.LocalKeyFileException},
   * naming the file).
   */
  static Node start(NodeSetup setup) throws IOException {
    DataDir dir = new DataDir(setup.dataDir());
    // No record: keys given in memory (tests, simulations), for an identity made for this node.
    boolean mayStartRootLog =
        dir.identityRecord().map(DataDir.IdentityRecord::createdHere).orElse(true);
    Node node = new Node(setup, mayStartRootLog);
    try {
      node.own.checkKey(dir.deviceKeyFile());
      node.storageThread.run(() -> node.own.start(System.currentTimeMillis()));
      node.startNetwork();
      return node;
    } catch (RuntimeException | IOException e) {
      node.close();
      throw e;
    }
  }

  private Node(NodeSetup setup, boolean mayStartRootLog) {
    this.identity = setup.identity();
    this.device = setup.device();
    this.store =
        RocksPostStore.open(setup.dataDir().resolve("store"), StoreConfig.DEFAULT, identity);
    this.engine =
        new Engine(store, new EntryValidator(), new ChainChecker(), 256, 16_384, setup.budgets());
    engine.setListener(this::onIngested);
    this.search = openSearch(setup, store, engine);
    this.media = openMedia(setup, store, search);
    engine.setStoreObserver(
        search == null ? media.observer() : StoreObserver.both(search, media.observer()));
    if (search != null) {
      SearchIndex index = search;
      metrics.gauge(
          "grapevine_search_documents",
          "Documents in the search index (held posts, and one latest profile per identity).",
          index::documents);
      metrics.gauge(
          "grapevine_search_failed",
          "1 when a search index write failed since start (the index is rebuilt at the next"
              + " start), else 0.",
          () -> index.failed() ? 1 : 0);
    }
    fanOut.countEngine(engine);
    this.own = new OwnDevice(identity, device, setup.root(), mayStartRootLog, store, engine);
    this.host = new Host(setup.host(), setup.group());
    CoreConfig coreConfig =
        CoreConfig.of(setup.discovery().syncInterval(), ignored -> System.currentTimeMillis());
    SplittableRandom random = new SplittableRandom();
    // Grapevine's pubsub is unsigned (NodeGossip): entries carry their authors' signatures.
    GossipRouter router = new GossipRouter(setup.gossip(), host.peerId(), null, random.split());
    var rz = NodeDht.core(setup, host.peerId(), random.split()); // null when the DHT is off
    this.core = new NodeCore(store, engine, router, coreConfig, random, System.nanoTime(), rz);
    core.enableCircle(identity, setup.circle()); // Before the driver starts it.
    this.driver = new CoreDriver(core, host, storage, System::nanoTime);
    this.discovery =
        new DiscoveryService(
            setup.discovery(), host, store, storage, setup.group(), new SplittableRandom());
    this.dht = NodeDht.attach(setup, driver, host, discovery, store, storageThread, metrics);
    this.reach = NodeReach.attach(setup, host, dht, driver, metrics);
    this.feeds =
        new org.grapevine.node.feeds.LocalFeeds(
            store, identity, setup.feeds(), this::post, System::currentTimeMillis);
    fanOut.add(feeds::onEntry);
  }

  /**
   * The search index fed by the engine, or null (and marked stale, so turning it on again rebuilds
   * it) when the config turns it off. Closes the store if the index cannot be opened.
   */
  private static SearchIndex openSearch(NodeSetup setup, RocksPostStore store, Engine engine) {
    java.nio.file.Path dir = SearchIndex.directoryIn(setup.dataDir());
    try {
      if (!setup.search()) {
        SearchIndex.markStale(dir);
        return null;
      }
      SearchIndex index = SearchIndex.open(dir, store, false);
      engine.setStoreObserver(index);
      return index;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The media store under the data directory; closes the store and index if it cannot open. */
  private static NodeMedia openMedia(NodeSetup setup, RocksPostStore store, SearchIndex search) {
    try {
      return NodeMedia.open(
          setup.dataDir(),
          store,
          setup.identity(),
          setup.budgets().attachmentMaxBytes(),
          setup.media());
    } catch (IOException | RuntimeException e) {
      if (search != null) {
        search.close();
      }
      store.close();
      throw e instanceof IOException io
          ? new java.io.UncheckedIOException(io)
          : (RuntimeException) e;
    }
  }

  private void startNetwork() throws IOException {
    driver.addListener(
        e -> {
          if (e instanceof CoreEvent.SyncEnded) {
            // What the peer had is stored: perhaps our root log delegates us now.
            own.delegateAfterSync(driver);
          } else if (e instanceof CoreEvent.Stored s) {
            media.gaveUs(s.entries(), s.from()); // The first peer asked for their files.
          } else if (e instanceof CoreEvent.Gossip g
              && g.event() instanceof GossipEvent.PeerExchange px) {
            discovery.onPeerExchange(px);
          }
        });
    metrics.counterFamily(
        "grapevine_gossip_dropped_total",
        "Gossip messages and RPCs dropped, by reason (the router's, and no_stream, router_behind)"
            + " as of the last heartbeat.",
        "reason",
        driver::gossipDrops);
    metrics.counterFamily(
        "grapevine_media_total",
        "Media (issue 18) since start: files added and fetched, fetches failed by reason, Bitswap's"
            + " blocks and messages, peer faults and disconnections.",
        "counter",
        media::counters);
    metrics.gauge(
        "grapevine_media_held_bytes",
        "Bytes of media files held.",
        () -> media.usage().storedBytes());
    metrics.gauge(
        "grapevine_originals_wanted",
        "Originals of held reposts and quote posts not held, to fetch by sync (by reference).",
        () -> driver.wantedOriginals()[0]);
    metrics.gauge(
        "grapevine_originals_dropped",
        "Wanted originals forgotten, oldest first, because more than 1,024 were wanted at once.",
        () -> driver.wantedOriginals()[1]);
    metrics.counterFamily(
        "grapevine_bootstrap_dns_total",
        "Resolutions of bootstrap names (/dnsaddr, /dns*), by outcome: resolved (some address) or"
            + " failed (none: no DNS, no such name, every record unusable).",
        "outcome",
        discovery::bootstrapDnsCounts);
    driver.start(); // Subscribes to every followed identity's topic, our own included.
    storageThread.every(PERSIST_SECONDS, store::persistUnlogged, "flushing others' entries");
    host.start();
    media.start(host, this::subscribers, store::follows, storage, dht.media(driver));
    dht.listening(driver, host);
    reach.started();
    discovery.start();
    feeds.warmUp();
  }

  public Identity identity() {
    return identity;
  }

  public Host host() {
    return host;
  }

  /** Peer discovery and connection management (listeners, known peers). */
  public DiscoveryService discovery() {
    return discovery;
  }

  /** The search index; empty when the config turns it off. Searches may run on any thread. */
  public java.util.Optional<SearchIndex> search() {
    return java.util.Optional.ofNullable(search);
  }

  /** The store, for reading (timelines, threads); writes go through the node. */
  public RocksPostStore store() {
    return store;
  }

  /** How much of its quota {@code who} uses (any thread). */
  public BudgetUsage usage(Identity who) {
    return engine.usage(who);
  }

  /**
   * Whether this node holds an entry's content, and if not whether it was deleted or is missing.
   */
  public ContentState contentState(LogEntry e) {
    return engine.contentState(e);
  }

  /** Ingestion outcomes per source ({@link Engine#countsBySource()}), for metrics (any thread). */
  public java.util.Map<String, Long> ingestCounts() {
    return engine.countsBySource();
  }

  /** GossipSub router counters (drops by reason: rejected, ignored, ...) and peer scores. */
  public CompletableFuture<org.grapevine.libp2p.gossipsub.GossipMetrics> gossipMetrics() {
    return driver.query(NodeCore::gossipMetrics);
  }

  /** This node's gossip score of {@code peer} (negative after invalid messages). */
  public CompletableFuture<Double> gossipPeerScore(org.grapevine.libp2p.peer.PeerId peer) {
    return driver.query(c -> c.gossipScore(peer));
  }

  /** Dials a peer; sync runs on the new connection. */
  public CompletableFuture<Connection> connect(Multiaddr addr) {
    return host.dial(addr);
  }

  /**
   * Writes {@code content} to this device's log, durably (synced to disk); the core publishes it.
   *
   * @throws BudgetExceededException if the content declares an attachment over the cap; nothing is
   *     signed then
   * @throws DeviceNotDelegatedException if the held root log does not (or no longer) delegate this
   *     node's device
   */
  public LogEntry post(Content content) {
    engine.budgets().checkOwn(content);
    LogEntry entry =
        call(
            () -> {
              LogEntry e = own.writer().append(content, System.currentTimeMillis());
              IngestOutcome o;
              try {
                o = driver.onStorage(c -> c.handleOwnEntry(e, System.nanoTime()));
              } catch (RuntimeException storeFailed) {
                own.resetWriter(); // The next post reuses the seq.
                throw storeFailed;
              }
              if (!(o instanceof IngestOutcome.Stored)) {
                own.resetWriter();
                throw new IllegalStateException("own entry not stored: " + o);
              }
              return e;
            });
    return entry;
  }

  /**
   * Follows {@code other}: a follow entry in our log, its topic, and a sync with the peers that
   * follow it.
   *
   * @throws WriteRefusedException if {@code other} is this node's identity ({@link WriteRules})
   */
  public LogEntry follow(Identity other) {
    WriteRules.relation(identity, WriteRules.Relation.FOLLOW, other);
    LogEntry e = post(OwnContent.follow(other));
    call(
        () -> {
          store.follow(other);
          driver.onStorageRun(c -> c.handleFollowed(other, System.nanoTime()));
          return null;
        });
    return e;
  }

  /** The device key this node writes with. */
  public AuthorKey device() {
    return device.publicKey();
  }

  /**
   * This node's device as the held root log says: active (it writes), unknown (waiting for the root
   * log) or revoked.
   */
  public org.grapevine.protocol.validation.DeviceStatus deviceStatus() {
    return store.deviceStatus(identity, device.publicKey());
  }

  public MetricsRegistry metrics() {
    return metrics;
  }

  /**
   * Calls {@code listener} with every entry stored from now on (own, gossip, sync), on the storage
   * thread and in storage order: it must be quick and must not block (hand off to its own thread).
   */
  public void addEntryListener(Consumer<LogEntry> listener) {
    fanOut.add(listener);
  }

  public void removeEntryListener(Consumer<LogEntry> listener) {
    fanOut.remove(listener);
  }

  /**
   * Calls {@code listener} with every event of the node core from now on (its decisions: whom to
   * sync with and why, whom to blame), on the storage thread and in order: it must be quick.
   */
  public void addCoreListener(Consumer<org.grapevine.node.core.CoreEvent> listener) {
    driver.addListener(listener);
  }

  /**
   * Replies to a held post; the thread's root is the parent's root, or the parent itself when it is
   * not a reply (or its content was deleted, so its root is unknown).
   *
   * @throws WriteRefusedException if the parent is not a held post ({@link WriteRules})
   * @throws IllegalArgumentException if the text breaks {@code Limits}
   */
  public LogEntry reply(EntryId parentId, String text) {
    return reply(parentId, text, "");
  }

  /** {@link #reply(EntryId, String)} behind a content warning (empty: none). */
  public LogEntry reply(EntryId parentId, String text, String contentWarning) {
    return reply(parentId, text, contentWarning, List.of());
  }

  /**
   * {@link #reply(EntryId, String, String)} mentioning {@code mentions} too (at most {@code
   * Limits.MAX_MENTIONS}); the entry then reaches each of them (docs/ARCHITECTURE.md, "Addressed
   * entries").
   */
  public LogEntry reply(
      EntryId parentId, String text, String contentWarning, List<Identity> mentions) {
    return post(
        OwnContent.mentioning(
            OwnContent.reply(held(WriteRules.Target.REPLY_PARENT, parentId), text, contentWarning),
            mentions));
  }

  /** Reacts to a held post or repost with one emoji. */
  public LogEntry react(EntryId targetId, String emoji) {
    return post(OwnContent.reaction(held(WriteRules.Target.REACTION_TARGET, targetId), emoji));
  }

  /** Reposts a held post. */
  public LogEntry repost(EntryId targetId) {
    return post(OwnContent.repost(held(WriteRules.Target.REPOST_TARGET, targetId)));
  }

  /**
   * Deletes the content of one of this identity's device-log entries (the signed entry stays).
   *
   * @throws WriteRefusedException if the entry is not held, belongs to another identity or to the
   *     root log ({@link WriteRules#deletable})
   */
  public LogEntry delete(EntryId targetId) {
    WriteRules.deletable(identity, targetId, store.entryById(targetId));
    return post(OwnContent.delete(targetId));
  }

  /** Unfollows {@code other}: an unfollow entry in our log, and its topic is left. */
  public LogEntry unfollow(Identity other) {
    WriteRules.relation(identity, WriteRules.Relation.UNFOLLOW, other);
    LogEntry e = post(OwnContent.unfollow(other));
    storageThread.run(
        () -> {
          store.unfollow(other);
          driver.onStorageRun(c -> c.handleUnfollowed(other, System.nanoTime()));
        });
    return e;
  }

  /** Local only (nothing is published): entries of a muted identity are ignored from now on. */
  public void mute(Identity other) {
    WriteRules.relation(identity, WriteRules.Relation.MUTE, other);
    storageThread.run(() -> store.mute(other));
  }

  public void unmute(Identity other) {
    storageThread.run(() -> store.unmute(other));
  }

  /**
   * Keeps a piece of local state (for example where notifications were read up to) in the store's
   * metadata, on the storage thread like every write.
   */
  public void putMetadata(String name, byte[] value) {
    storageThread.run(() -> store.putMetadata(name, value));
  }

  /**
   * Blocks {@code other} (issue 15): local and private like a mute (nothing about the block is
   * published), and stronger: its entries are no longer stored, and what it wrote before is hidden
   * from threads and counts. A block does not leave a follow behind silently: a followed identity
   * is unfollowed first, with an ordinary (public) unfollow entry, which this returns.
   *
   * @return the unfollow entry, or empty when {@code other} was not followed
   */
  public Optional<LogEntry> block(Identity other) {
    WriteRules.relation(identity, WriteRules.Relation.BLOCK, other);
    Optional<LogEntry> unfollowed =
        store.follows().contains(other) ? Optional.of(unfollow(other)) : Optional.empty();
    storageThread.run(() -> store.block(other));
    return unfollowed;
  }

  /** Unblocks {@code other}; a follow that the block ended is not restored. */
  public void unblock(Identity other) {
    storageThread.run(() -> store.unblock(other));
  }

  /**
   * A post with an optional content warning (empty: none) and an optional quoted entry (a held
   * post, {@link WriteRules.Target#QUOTE_TARGET}).
   *
   * @throws WriteRefusedException if the quoted entry is not a held post
   */
  public LogEntry post(String text, String contentWarning, EntryId quoteId) {
    return post(text, contentWarning, quoteId, List.of());
  }

  /**
   * {@link #post(String, String, EntryId)} mentioning {@code mentions} (at most {@code
   * Limits.MAX_MENTIONS}); the post then reaches each of them (docs/ARCHITECTURE.md, "Addressed
   * entries").
   */
  public LogEntry post(
      String text, String contentWarning, EntryId quoteId, List<Identity> mentions) {
    return post(text, contentWarning, quoteId, mentions, List.of());
  }

  /**
   * {@link #post(String, String, EntryId, List)} with files attached ({@link NodeMedia#attachment}:
   * files this node holds, at most {@code Limits.MAX_ATTACHMENTS}); followers fetch them from us.
   */
  public LogEntry post(
      String text,
      String contentWarning,
      EntryId quoteId,
      List<Identity> mentions,
      List<Attachment> attachments) {
    Content c =
        OwnContent.mentioning(
            OwnContent.post(
                text,
                contentWarning,
                quoteId == null ? null : held(WriteRules.Target.QUOTE_TARGET, quoteId)),
            mentions);
    if (!attachments.isEmpty()) {
      c = c.toBuilder().setPost(c.getPost().toBuilder().addAllAttachments(attachments)).build();
    }
    return post(c);
  }

  /** Writes a profile entry; the avatar of the current profile is kept. */
  public LogEntry setProfile(String name, String bio) {
    return post(OwnContent.profile(name, bio, profile(identity)));
  }

  /**
   * Writes a profile entry with {@code avatar} (a file this node holds, {@link
   * NodeMedia#attachment}), or without one when null; name and bio are kept.
   */
  public LogEntry setAvatar(Attachment avatar) {
    Content c = OwnContent.profile(null, null, profile(identity));
    org.grapevine.protocol.proto.Profile.Builder p = c.getProfile().toBuilder();
    if (avatar == null) {
      p.clearAvatar();
    } else {
      p.setAvatar(avatar);
    }
    return post(c.toBuilder().setProfile(p).build());
  }

  /** Media: files by CID, stored, served and fetched over Bitswap (issue 18). */
  public NodeMedia media() {
    return media;
  }

  /**
   * The identity's latest profile entry with content (by timestamp, over all its devices), if held.
   */
  public Optional<LogEntry> profile(Identity of) {
    return LogQueries.latestProfile(store, of);
  }

  /** The DHT's mode, routing table and topic peers per followed identity; empty when off. */
  public Optional<CompletableFuture<DhtStatus>> dhtStatus() {
    return dht.status(driver, identity, java.util.List.copyOf(store.follows()));
  }

  /**
   * The extended circle (issue 17): identities two follow hops away whose logs this node keeps
   * without following them, bytes held, budgets, and what the budgets refused.
   */
  public org.grapevine.node.core.CircleStatus circle() {
    return driver.query(NodeCore::circleStatus).join();
  }

  /** Entries waiting behind a gap for their predecessors (fetched by sync). */
  public int gapBuffered() {
    return call(engine::buffered);
  }

  /** The feeds this node ranks for its person (issue 17): built in, used, published. */
  public org.grapevine.node.feeds.LocalFeeds feeds() {
    return feeds;
  }

  /** Reachability, relays and hole punches: how peers outside our network reach us. */
  public ReachStatus reachStatus() {
    return reach.status();
  }

  @Override
  public void close() {
    feeds.close(); // Its warm-up reads the store.
    media.close(); // Before the host: its Bitswap streams close first.
    discovery.close();
    reach.close();
    driver.closeGossip();
    host.close();
    driver.close();
    dht.persist(driver, store);
    storageThread.close();
    if (search != null) {
      search.close(); // After the last write (the storage thread), before the store it reads.
    }
    store.close();
  }

  private LogEntry held(WriteRules.Target target, EntryId id) {
    return WriteRules.target(target, id, store.entryById(id));
  }

  /**
   * On the storage thread: counted and told to the listeners; our own root log may delegate us now.
   */
  private void onIngested(IngestSource source, IngestOutcome outcome) {
    fanOut.onIngested(source, outcome);
    if (outcome instanceof IngestOutcome.Stored stored
        && stored.entry().header().identity().equals(identity)
        && stored.entry().header().inRootLog()) {
      own.refresh(); // Our root log grew: perhaps it delegates (or revokes) this device now.
    }
  }

  /** The connected subscribers of {@code who}'s topic, as the core knows them; none if it lags. */
  private java.util.Set<org.grapevine.libp2p.peer.PeerId> subscribers(Identity who) {
    try {
      return driver.query(c -> c.subscribers(who)).get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Set.of();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return java.util.Set.of(); // The other connected peers are asked all the same.
    }
  }

  private <T> T call(java.util.concurrent.Callable<T> task) {
    return storageThread.call(task);
  }
}
