package org.grapevine.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.grapevine.libp2p.bitswap.BitswapCounters;
import org.grapevine.libp2p.bitswap.BitswapEvent;
import org.grapevine.libp2p.bitswap.BitswapException;
import org.grapevine.libp2p.bitswap.BitswapLimits;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.netty.BitswapFetchException;
import org.grapevine.libp2p.bitswap.netty.BitswapService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.StoreObserver;
import org.grapevine.node.media.FileLayout;
import org.grapevine.node.media.ImportedMedia;
import org.grapevine.node.media.MediaBlock;
import org.grapevine.node.media.MediaBudgets;
import org.grapevine.node.media.MediaCids;
import org.grapevine.node.media.MediaError;
import org.grapevine.node.media.MediaException;
import org.grapevine.node.media.MediaImport;
import org.grapevine.node.media.MediaOrigin;
import org.grapevine.node.media.MediaStore;
import org.grapevine.node.media.MediaType;
import org.grapevine.node.media.MediaUsage;
import org.grapevine.node.media.PutOutcome;
import org.grapevine.node.media.ReferenceOutcome;
import org.grapevine.node.storage.Applied;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's media (issue 18, docs/ARCHITECTURE.md "Media"): files named by CID, kept in the {@link
 * MediaStore} outside the entry column families, served and fetched over Bitswap ({@link
 * BitswapService}).
 *
 * <ul>
 *   <li><b>References</b>: every held post's attachments and profile's avatar are references from
 *       that entry to a file ({@link #observer}: told by the engine on every write). A delete
 *       removes its target's references; a file no held entry refers to is removed. A file our user
 *       added but did not attach yet is kept for {@link #UNATTACHED_GRACE} first.
 *   <li><b>Fetch policy</b>: files of the identities this node follows (and its own, from other
 *       devices) are fetched as their entries arrive, within the author's quota and the total
 *       budget; any other file when someone asks ({@link #open}: a page, the CLI). A file over a
 *       budget is not fetched and its state says so.
 *   <li><b>Peers asked</b>: the peer that gave us the entry naming the file first ({@link
 *       #gaveUs}), then those subscribed to the author's topic (followers of the author hold its
 *       files: they fetched them on arrival), then the other connected peers, at most {@link
 *       #MAX_CANDIDATES}. Bitswap asks them all want-have and takes the block from the first that
 *       has it.
 *   <li><b>The DHT</b> (when {@code [dht] mode} is not off): a file held whole (fetched, or added
 *       by our user) is provided under its root CID's multihash, the newest {@link
 *       #PROVIDED_TRACKED} of them, and no longer once collected. A fetch that the connected peers
 *       cannot serve (none has it, none answers in time, there are none) looks up a few providers
 *       of the root, dials them and is tried once more with them alone.
 *   <li><b>Misbehaving peers</b> (a block whose hash does not match, unsolicited blocks, oversize
 *       or malformed messages): counted, and at {@link #FAULTS_TO_DISCONNECT} faults disconnected.
 * </ul>
 *
 * Store work runs on one thread of its own ({@code grapevine-media}): the engine's thread only
 * queues, the network's event loop never touches the disk.
 */
// Futures of background fetches are kept in `fetching` and observed through state(); callers that
// start one without waiting ignore the returned future on purpose.
@SuppressWarnings("FutureReturnValueIgnored")
public final class NodeMedia implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeMedia.class);

  /** How long a file our user added stays without an entry referring to it. */
  public static final Duration UNATTACHED_GRACE = Duration.ofHours(24);

  /** Peers asked for one file at most: want-have is small, but every peer asked answers. */
  public static final int MAX_CANDIDATES = 32;

  /** Leaves of one file wanted at once: enough to keep a peer's 8 MiB in flight busy. */
  public static final int LEAVES_IN_FLIGHT = 16;

  /** Bitswap faults of one peer after which it is disconnected. */
  public static final int FAULTS_TO_DISCONNECT = 3;

  /** Files fetched at once. */
  public static final int FILES_AT_ONCE = 8;

  /** Files waiting to be fetched, at most. */
  public static final int MAX_QUEUED = 10_000;

  /** Failed fetches remembered (their reason shown in posts), oldest forgotten first. */
  private static final int FAILURES_KEPT = 4096;

  /**
   * Files provided in the DHT, newest kept: the core's bound ({@code MediaProviding.MAX_PROVIDED},
   * the same number); here to know which to withdraw when collected.
   */
  static final int PROVIDED_TRACKED = 256;

  /** Minutes between sweeps for files no held entry refers to any more. */
  private static final long SWEEP_MINUTES = 10;

  private final MediaStore store;
  private final MediaBudgets budgets;
  private final PostStore entries;
  private final Identity self;
  private final long maxFileBytes;
  private final Path incoming;
  private final ExecutorService io;
  private final Map<Cid, CompletableFuture<Void>> fetching = new ConcurrentHashMap<>();
  private final Map<Cid, MediaRefusedException.Code> failures =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, MediaRefusedException.Code> eldest) {
          return size() > FAILURES_KEPT;
        }
      };
  private final Map<PeerId, Integer> faults = new ConcurrentHashMap<>();

  /** Which peer last gave us an entry naming a file, for the last 4,096 files. */
  private final Map<Cid, PeerId> senders =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, PeerId> eldest) {
          return size() > FAILURES_KEPT;
        }
      };

  /** Files our user added and no post of ours names yet, with when (media thread only). */
  private final Map<Cid, Long> uploads = new java.util.HashMap<>();

  /** Fetches waiting and running: touched on the media thread only. */
  private final java.util.ArrayDeque<Queued> queue = new java.util.ArrayDeque<>();

  private int active;

  /** Files provided in the DHT, oldest first (media thread only). */
  private final LinkedHashSet<Cid> provided = new LinkedHashSet<>();

  private volatile MediaDht dht = MediaDht.OFF;
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

  private volatile Host host;
  private volatile BitswapService bitswap;
  private volatile Function<Identity, Set<PeerId>> subscribers = i -> Set.of();
  private volatile Supplier<Set<Identity>> follows = Set::of;

  /**
   * The node's storage thread, where entries are written and this class's {@link #observer} is told
   * of them; until {@link #start}, none.
   */
  private volatile java.util.concurrent.Executor writes;

  /** A file our user added: its CID (text), and what a post's attachment says of it. */
  public record Added(
      String cid, String hashHex, int codec, long size, String mediaType, boolean stripped) {}

  /** A held file, opened for reading: its bytes, their count and the type sniffed from them. */
  public record Opened(InputStream in, long size, String mediaType) {}

  private NodeMedia(
      MediaStore store,
      MediaBudgets budgets,
      PostStore entries,
      Identity self,
      long maxFileBytes,
      Path incoming) {
    this.store = store;
    this.budgets = budgets;
    this.entries = entries;
    this.self = self;
    this.maxFileBytes = maxFileBytes;
    this.incoming = incoming;
    this.io =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "grapevine-media");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the media store under {@code dataDir/media}.
   *
   * @param maxFileBytes the largest file posted or fetched ({@code [budgets] attachment_max_bytes})
   */
  static NodeMedia open(
      Path dataDir, PostStore entries, Identity self, long maxFileBytes, MediaBudgets budgets)
      throws IOException {
    Path dir = dataDir.resolve("media");
    Files.createDirectories(dir);
    MediaStore store = MediaStore.open(dir, budgets);
    return new NodeMedia(store, budgets, entries, self, maxFileBytes, dir.resolve("incoming"));
  }

  /**
   * Serves and fetches over {@code host} from now on; {@code subscribers} gives the connected peers
   * subscribed to an identity's topic, {@code follows} the identities followed, {@code dht} where
   * held files are provided and others' providers looked up.
   */
  void start(
      Host host,
      Function<Identity, Set<PeerId>> subscribers,
      Supplier<Set<Identity>> follows,
      java.util.concurrent.ScheduledExecutorService timers,
      MediaDht dht) {
    this.host = host;
    this.dht = dht;
    this.subscribers = subscribers;
    this.follows = follows;
    this.writes = timers;
    this.bitswap = BitswapService.start(host, store, BitswapLimits.defaults(), this::misbehaved);
    // Files held before a restart are provided again (some of them, up to the bound).
    io.execute(
        () -> {
          for (Cid root : store.referencedRoots(PROVIDED_TRACKED)) {
            if (whole(root)) {
              provide(root);
            }
          }
        });
    timers.scheduleWithFixedDelay(
        () -> io.execute(this::sweep), 1, SWEEP_MINUTES, TimeUnit.MINUTES);
  }

  // ------------------------------------------------------------------------------ our own files

  /** The largest file {@link #add} takes. */
  public long maxUploadBytes() {
    return maxFileBytes;
  }

  /** Where uploads are written while they arrive (the API's). */
  public Path incomingDir() {
    return incoming;
  }

  /**
   * Adds a file our user gives: the type sniffed from its bytes, an image's metadata stripped (GPS
   * position, camera), cut into blocks and stored under its CID, owned by our identity. Peers that
   * wanted one of its blocks are sent it.
   *
   * @throws MediaRefusedException TOO_LARGE, BAD_FILE (a broken image), OVER_BUDGET, STORAGE
   */
  public Added add(Path file) throws MediaRefusedException {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > maxFileBytes) {
        throw new MediaRefusedException(
            MediaRefusedException.Code.TOO_LARGE,
            "the file is " + size + " bytes, over this node's cap of " + maxFileBytes);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new MediaRefusedException(
          MediaRefusedException.Code.STORAGE, "cannot read the file: " + e.getMessage(), e);
    }
    ImportedMedia imported;
    try {
      imported = MediaImport.prepare(bytes, maxFileBytes);
    } catch (MediaException e) {
      throw new MediaRefusedException(
          e.code() == MediaError.FILE_TOO_LARGE
              ? MediaRefusedException.Code.TOO_LARGE
              : MediaRefusedException.Code.BAD_FILE,
          e.getMessage(),
          e);
    }
    FileLayout layout = imported.layout();
    onIo(
        () -> {
          // Held under a reference of its own until a post names it (see UNATTACHED_GRACE).
          store.addReference(
              uploadId(layout.root()), self, layout.root(), layout.fileBytes(), MediaOrigin.OWN);
          for (MediaBlock block : layout.blocks()) {
            PutOutcome o = store.putBlock(block.cid(), block.data());
            if (o != PutOutcome.STORED && o != PutOutcome.DUPLICATE) {
              throw new MediaRefusedException(
                  MediaRefusedException.Code.STORAGE, "the media store refused our block: " + o);
            }
          }
          uploads.put(layout.root(), System.currentTimeMillis());
          provide(layout.root());
          return null;
        });
    BitswapService b = bitswap;
    if (b != null) {
      layout.blocks().forEach(block -> b.blockAdded(block.cid()));
    }
    count("added");
    Cid root = layout.root();
    return new Added(
        root.toString(),
        HexFormat.of().formatHex(root.digest()),
        (int) root.codec(),
        layout.fileBytes(),
        imported.type().mime(),
        imported.strippedBytes() > 0);
  }

  /**
   * The attachment a post names for a file this node holds, with {@code alt}.
   *
   * @throws MediaRefusedException BAD_CID, or UNKNOWN when the file is not held whole
   */
  public Attachment attachment(String cidText, String alt) throws MediaRefusedException {
    Cid root = parse(cidText);
    Held held =
        onIo(() -> held(root))
            .orElseThrow(
                () ->
                    new MediaRefusedException(
                        MediaRefusedException.Code.UNKNOWN,
                        "this node does not hold the file "
                            + cidText
                            + " whole: add it first (POST /v1/media, grapevine media add)"));
    return Attachment.newBuilder()
        .setHash(com.google.protobuf.ByteString.copyFrom(root.digest()))
        .setSize(held.fileBytes())
        .setMediaType(held.mediaType())
        .setCodec((int) root.codec())
        .setAlt(alt)
        .build();
  }

  // ------------------------------------------------------------------------------- reading

  /**
   * The file {@code cidText} names, once held: at once if it is, else after fetching it from peers
   * within {@code wait} (the fetch goes on after a timeout, up to the Bitswap timeouts). Fails with
   * a {@link MediaRefusedException}: BAD_CID, UNKNOWN (no held entry names it: this node does not
   * fetch files for nobody), OVER_BUDGET, NOT_FOUND, TIMED_OUT.
   */
  public CompletableFuture<Opened> open(String cidText, Duration wait) {
    Cid root;
    try {
      root = parse(cidText);
    } catch (MediaRefusedException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.supplyAsync(() -> whole(root), io)
        .thenCompose(
            whole -> {
              if (whole) {
                return CompletableFuture.completedFuture(null);
              }
              return fetch(root, "open")
                  .orTimeout(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
            })
        .thenApplyAsync(
            done -> {
              Held h = held(root).orElse(null);
              InputStream in = h == null ? null : store.open(root).orElse(null);
              if (in == null) {
                // Collected between the fetch and now (its post deleted meanwhile).
                throw new CompletionException(
                    new MediaRefusedException(
                        MediaRefusedException.Code.NOT_FOUND, root + " is no longer held"));
              }
              return new Opened(in, h.fileBytes(), h.mediaType());
            },
            io)
        .exceptionallyCompose(
            t -> {
              Throwable cause = t instanceof CompletionException ? t.getCause() : t;
              if (cause instanceof TimeoutException) {
                cause =
                    new MediaRefusedException(
                        MediaRefusedException.Code.TIMED_OUT,
                        "the peers asked did not deliver "
                            + root
                            + " within "
                            + wait.toSeconds()
                            + " s (the fetch goes on)");
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  /**
   * An attachment's state for the API: {@code held}, {@code fetching}, {@code not_fetched} (not
   * asked for yet: files of people not followed wait until someone opens them), or why a fetch
   * failed ({@code over_budget}, {@code not_found}, {@code timed_out}, {@code bad_file}).
   */
  public String state(String cidText) {
    Cid root;
    try {
      root = parse(cidText);
    } catch (MediaRefusedException e) {
      return "unsupported";
    }
    if (whole(root)) {
      return "held";
    }
    if (fetching.containsKey(root)) {
      return "fetching";
    }
    MediaRefusedException.Code failed;
    synchronized (failures) {
      failed = failures.get(root);
    }
    return failed == null ? "not_fetched" : failed.key();
  }

  // ------------------------------------------------------------------------------- fetching

  /**
   * Fetches {@code root} whole (the root, then its missing leaves); one fetch per file at once, at
   * most {@link #FILES_AT_ONCE} files at once (with {@link #LEAVES_IN_FLIGHT} leaves each, within
   * Bitswap's cap on our own wantlist), the others queued: a file someone opens ahead of those
   * fetched on arrival. At most {@link #MAX_QUEUED} wait; more fail as {@code BUSY}, counted.
   */
  private CompletableFuture<Void> fetch(Cid root, String why) {
    CompletableFuture<Void> started = new CompletableFuture<>();
    CompletableFuture<Void> running = fetching.putIfAbsent(root, started);
    if (running != null) {
      return running;
    }
    count("fetch_started_" + why);
    io.execute(
        () -> {
          if (queue.size() >= MAX_QUEUED) {
            finish(
                root,
                started,
                new MediaRefusedException(
                    MediaRefusedException.Code.BUSY,
                    MAX_QUEUED + " files wait to be fetched already; try again later"));
            return;
          }
          Queued q = new Queued(root, started);
          if (why.equals("open")) {
            queue.addFirst(q);
          } else {
            queue.addLast(q);
          }
          pump();
        });
    return started;
  }

  /** A file waiting for its turn. */
  private record Queued(Cid root, CompletableFuture<Void> done) {}

  /** On the media thread: starts queued fetches while fewer than {@link #FILES_AT_ONCE} run. */
  private void pump() {
    while (active < FILES_AT_ONCE && !queue.isEmpty()) {
      Queued q = queue.pollFirst();
      active++;
      CompletableFuture<Void> f;
      try {
        f = fetchRoot(q.root(), false);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenCompleteAsync(
          (ok, t) -> {
            active--;
            finish(q.root(), q.done(), t);
            pump();
          },
          io);
    }
  }

  private void finish(Cid root, CompletableFuture<Void> done, Throwable t) {
    fetching.remove(root, done);
    if (t == null) {
      count("fetched");
      provide(root);
      synchronized (failures) {
        failures.remove(root);
      }
      done.complete(null);
      return;
    }
    Throwable cause = t instanceof CompletionException ? t.getCause() : t;
    MediaRefusedException refused = refusal(root, cause);
    count("fetch_failed_" + refused.code().key());
    synchronized (failures) {
      failures.put(root, refused.code());
    }
    done.completeExceptionally(refused);
  }

  /**
   * On the media thread: makes sure an entry's reference holds {@code root} (a file named only by a
   * post of someone not followed becomes a reference now, within the budgets), then fetches what is
   * missing: the root, then its leaves.
   */
  private CompletableFuture<Void> fetchRoot(Cid root, boolean caughtUp) {
    Identity author = store.author(root).orElse(null);
    if (author == null) {
      MediaStore.Named named = store.named(root).orElse(null);
      if (named == null && !caughtUp) {
        // A post naming it may be stored already with its notice to us still on the way: the store
        // is written first, then the observer queues the notice here (both on the storage thread),
        // so a user opening a post they just saw can get here first. Once a task on the storage
        // thread has run, every notice of a write seen before is queued ahead of us; look again.
        return afterWritesSoFar().thenComposeAsync(v -> fetchRoot(root, true), io);
      }
      if (named == null) {
        return CompletableFuture.failedFuture(
            new MediaRefusedException(
                MediaRefusedException.Code.UNKNOWN,
                "no post held here names "
                    + root
                    + ": this node fetches only files its posts name"));
      }
      MediaRefusedException refused =
          referenced(named.entry(), named.author(), root, named.fileBytes());
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      author = named.author();
    }
    long fileBytes = store.fileBytes(root).orElse(0);
    if (fileBytes > maxFileBytes) {
      return CompletableFuture.failedFuture(
          new MediaRefusedException(
              MediaRefusedException.Code.TOO_LARGE,
              "the file is " + fileBytes + " bytes, over this node's cap of " + maxFileBytes));
    }
    BitswapService b = bitswap;
    if (b == null) {
      return CompletableFuture.failedFuture(
          new MediaRefusedException(MediaRefusedException.Code.NOT_FOUND, "the node is offline"));
    }
    Collection<PeerId> peers = candidates(author, root);
    return fetchFrom(root, peers, b).exceptionallyComposeAsync(t -> viaDht(root, b, t), io);
  }

  /**
   * Completes once every write queued on the storage thread so far is done (at once before start).
   */
  private CompletableFuture<Void> afterWritesSoFar() {
    java.util.concurrent.Executor w = writes;
    if (w == null) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return CompletableFuture.runAsync(() -> {}, w);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      return CompletableFuture.completedFuture(null); // No write comes any more.
    }
  }

  /**
   * On the media thread, after connected peers failed to give {@code root} ({@code failed}): when
   * no peer had it or none answered in time, looks up its providers in the DHT, dials them and
   * fetches from them alone, once. Any other failure (a bad block, a budget) stands.
   */
  private CompletableFuture<Void> viaDht(Cid root, BitswapService b, Throwable failed) {
    Throwable cause = failed instanceof CompletionException ? failed.getCause() : failed;
    MediaDht d = dht;
    Host h = host;
    boolean nobodyGave =
        cause instanceof BitswapFetchException f
            && (f.reason() == BitswapEvent.Reason.DONT_HAVE
                || f.reason() == BitswapEvent.Reason.TIMED_OUT
                || f.reason() == BitswapEvent.Reason.NO_PEERS);
    if (!nobodyGave || !d.on() || h == null) {
      return CompletableFuture.failedFuture(cause);
    }
    count("dht_lookups");
    return d.findProviders(providerKey(root))
        .thenComposeAsync(
            found -> {
              List<CompletableFuture<PeerId>> dials = new ArrayList<>();
              for (KadPeer p : found) {
                if (!p.id().equals(h.peerId())) {
                  dials.add(dial(h, p));
                }
              }
              count("dht_providers_found", dials.size());
              if (dials.isEmpty()) {
                return CompletableFuture.<Void>failedFuture(cause);
              }
              return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new))
                  .thenComposeAsync(
                      all -> {
                        List<PeerId> reached = new ArrayList<>();
                        dials.forEach(f -> reached.add(f.join()));
                        reached.removeIf(java.util.Objects::isNull);
                        if (reached.isEmpty()) {
                          count("dht_providers_unreachable");
                          return CompletableFuture.<Void>failedFuture(cause);
                        }
                        return fetchFrom(root, reached, b).thenRun(() -> count("fetched_via_dht"));
                      },
                      io);
            },
            io);
  }

  /** Dials a provider at its addresses in turn: its peer id once connected, else null. */
  private static CompletableFuture<PeerId> dial(Host h, KadPeer p) {
    if (!h.connections(p.id()).isEmpty()) {
      return CompletableFuture.completedFuture(p.id());
    }
    List<org.grapevine.libp2p.multiaddr.Multiaddr> addrs = new ArrayList<>(p.addrs());
    for (String known : h.peerStore().addrs(p.id())) {
      try {
        addrs.add(org.grapevine.libp2p.multiaddr.Multiaddr.parse(known));
      } catch (org.grapevine.libp2p.multiaddr.MultiaddrFormatException e) {
        // The peer store keeps what identify said; an unreadable one is skipped.
      }
    }
    CompletableFuture<PeerId> result = CompletableFuture.completedFuture(null);
    for (org.grapevine.libp2p.multiaddr.Multiaddr a : addrs.subList(0, Math.min(4, addrs.size()))) {
      result =
          result.thenCompose(
              done ->
                  done != null
                      ? CompletableFuture.completedFuture(done)
                      : h.dial(a.withoutPeerId().withPeerId(p.id()))
                          .thenApply(c -> p.id())
                          .exceptionally(t -> null));
    }
    return result;
  }

  /** The DHT key of a file: its root CID's multihash, 0x12 0x20 then the SHA-256, as IPFS's. */
  static byte[] providerKey(Cid root) {
    byte[] digest = root.digest();
    byte[] key = new byte[2 + digest.length];
    key[0] = (byte) Cid.SHA2_256;
    key[1] = (byte) digest.length;
    System.arraycopy(digest, 0, key, 2, digest.length);
    return key;
  }

  /** On the media thread: {@code root} is held whole; provided, the newest kept. */
  private void provide(Cid root) {
    if (!dht.on()) {
      return;
    }
    provided.remove(root);
    provided.add(root);
    dht.provide(providerKey(root));
    if (provided.size() > PROVIDED_TRACKED) {
      java.util.Iterator<Cid> it = provided.iterator();
      it.next();
      it.remove(); // The core dropped it too: the same bound, the same order.
    }
  }

  /** On the media thread, after references were removed: collected files are no longer provided. */
  private void withdrawCollected() {
    for (java.util.Iterator<Cid> it = provided.iterator(); it.hasNext(); ) {
      Cid root = it.next();
      if (!whole(root)) {
        it.remove();
        dht.stopProviding(providerKey(root));
        count("dht_withdrawn");
      }
    }
  }

  /** On the media thread: fetches what is missing of {@code root} from {@code peers}. */
  private CompletableFuture<Void> fetchFrom(Cid root, Collection<PeerId> peers, BitswapService b) {
    List<Cid> missing = store.missing(root);
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!missing.get(0).equals(root)) {
      return fetchBlocks(missing, peers, b); // The root is held: its leaves are what is left.
    }
    return b.fetch(root, peers)
        .thenComposeAsync(
            data -> {
              PutOutcome o = store.putBlock(root, data);
              if (o != PutOutcome.STORED && o != PutOutcome.DUPLICATE) {
                return CompletableFuture.failedFuture(refusedBlock(root, o));
              }
              List<Cid> leaves = store.missing(root);
              return leaves.isEmpty()
                  ? CompletableFuture.completedFuture(null)
                  : fetchBlocks(leaves, peers, b);
            },
            io);
  }

  /** A block the store would not take: the sender's (or the author's) fault, or our disk's. */
  private static MediaRefusedException refusedBlock(Cid cid, PutOutcome o) {
    return new MediaRefusedException(
        o == PutOutcome.UNWANTED
            ? MediaRefusedException.Code.NOT_FOUND
            : MediaRefusedException.Code.BAD_FILE,
        "the block " + cid + " was refused: " + o.name().toLowerCase(java.util.Locale.ROOT));
  }

  /** The missing blocks, {@link #LEAVES_IN_FLIGHT} at a time, each stored as it arrives. */
  private CompletableFuture<Void> fetchBlocks(
      List<Cid> missing, Collection<PeerId> peers, BitswapService b) {
    CompletableFuture<Void> all = new CompletableFuture<>();
    java.util.Iterator<Cid> next = missing.iterator();
    int[] running = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (!all.isDone() && running[0] < LEAVES_IN_FLIGHT && next.hasNext()) {
            Cid leaf = next.next();
            running[0]++;
            b.fetch(leaf, peers)
                .whenCompleteAsync(
                    (data, t) -> {
                      running[0]--;
                      if (t != null) {
                        all.completeExceptionally(t);
                        return;
                      }
                      PutOutcome o = store.putBlock(leaf, data);
                      if (o != PutOutcome.STORED && o != PutOutcome.DUPLICATE) {
                        all.completeExceptionally(refusedBlock(leaf, o));
                        return;
                      }
                      pump[0].run();
                    },
                    io);
          }
          if (!all.isDone() && running[0] == 0 && !next.hasNext()) {
            all.complete(null);
          }
        };
    pump[0].run();
    return all;
  }

  /**
   * The peers that gave us an entry naming {@code root} first (they had the entry, and a follower
   * holds its files), then the connected subscribers of the author's topic, then other connected
   * peers.
   */
  private Collection<PeerId> candidates(Identity author, Cid root) {
    Set<PeerId> out = new LinkedHashSet<>();
    synchronized (senders) {
      PeerId sender = senders.get(root);
      if (sender != null) {
        out.add(sender);
      }
    }
    out.addAll(subscribers.apply(author));
    Host h = host;
    if (h != null) {
      for (Connection c : h.connections()) {
        out.add(c.remotePeer());
      }
    }
    List<PeerId> list = new ArrayList<>(out);
    return list.size() > MAX_CANDIDATES ? list.subList(0, MAX_CANDIDATES) : list;
  }

  private static MediaRefusedException refusal(Cid root, Throwable cause) {
    if (cause instanceof MediaRefusedException m) {
      return m;
    }
    if (cause instanceof BitswapFetchException f) {
      return new MediaRefusedException(
          f.reason() == BitswapEvent.Reason.TIMED_OUT
              ? MediaRefusedException.Code.TIMED_OUT
              : MediaRefusedException.Code.NOT_FOUND,
          "no peer gave " + root + " (" + f.getMessage() + ")",
          f);
    }
    log.warn("fetching {} failed", root, cause);
    return new MediaRefusedException(
        MediaRefusedException.Code.STORAGE, "fetching " + root + " failed: " + cause, cause);
  }

  private void misbehaved(BitswapEvent.PeerMisbehaved m) {
    count("peer_fault_" + m.code().name().toLowerCase(java.util.Locale.ROOT));
    int n = faults.merge(m.peer(), 1, Integer::sum);
    Host h = host;
    if (n >= FAULTS_TO_DISCONNECT && h != null) {
      log.info("disconnecting {}: {} Bitswap faults (last {})", m.peer(), n, m.code());
      faults.remove(m.peer());
      count("peers_disconnected");
      h.connections(m.peer()).forEach(Connection::close);
    }
  }

  /**
   * {@code from} gave us {@code entries} (gossip, sync, by reference): it is the first peer asked
   * for the files they name. Called from the node's core listener; remembers the last 4,096 files.
   */
  void gaveUs(List<LogEntry> entries, PeerId from) {
    if (from == null) {
      return;
    }
    for (LogEntry e : entries) {
      for (Attachment a : files(e)) {
        try {
          Cid root = MediaCids.of(a.getHash().toByteArray(), a.getCodec());
          synchronized (senders) {
            senders.put(root, from);
          }
        } catch (MediaException unsupported) {
          // Counted where the entry is applied.
        }
      }
    }
  }

  /** A post's attachments or a profile's avatar; none for other entries. */
  private static List<Attachment> files(LogEntry e) {
    if (e.content().isEmpty()) {
      return List.of();
    }
    Content c = e.content().get();
    if (c.hasPost()) {
      return c.getPost().getAttachmentsList();
    }
    return c.hasProfile() && c.getProfile().hasAvatar()
        ? List.of(c.getProfile().getAvatar())
        : List.of();
  }

  // ----------------------------------------------------------------------------- references

  /**
   * Told of every write to the entry store (on the engine's thread: it only queues): posts'
   * attachments and profiles' avatars become references, deletes remove them, and a followed
   * author's files are fetched.
   */
  StoreObserver observer() {
    return new StoreObserver() {
      @Override
      public void onApplied(LogEntry stored, Applied applied) {
        io.execute(() -> applied(stored));
      }

      @Override
      public void onContentFilled(LogEntry full) {
        io.execute(() -> applied(full));
      }

      @Override
      public void onLooseEvicted(List<LogEntry> removed) {
        io.execute(
            () ->
                removed.forEach(
                    e -> {
                      store.removeReferences(e.id());
                      store.unname(e.id());
                    }));
        io.execute(NodeMedia.this::withdrawCollected);
      }
    };
  }

  private void applied(LogEntry e) {
    if (e.content().isEmpty()) {
      return;
    }
    Content c = e.content().get();
    if (e.header().kind() == ContentKind.DELETE) {
      EntryId target = PostStore.deleteTarget(c).orElse(null);
      if (target != null && store.removeReferences(target) + store.unname(target) > 0) {
        count("references_deleted");
        withdrawCollected();
      }
      return;
    }
    List<Attachment> files = files(e);
    Identity author = e.header().identity();
    boolean fetchNow = author.equals(self) || follows.get().contains(author);
    for (Attachment a : files) {
      Cid root;
      try {
        root = MediaCids.of(a.getHash().toByteArray(), a.getCodec() == 0 ? Cid.RAW : a.getCodec());
      } catch (MediaException unsupported) {
        count("attachments_unsupported");
        continue;
      }
      if (!fetchNow) {
        // Named, not kept: fetched (and counted against the budgets) when someone opens it.
        store.name(e.id(), author, root, a.getSize());
        continue;
      }
      MediaRefusedException refused = referenced(e.id(), author, root, a.getSize());
      if (refused != null) {
        count("fetch_failed_" + refused.code().key());
        synchronized (failures) {
          failures.put(root, refused.code());
        }
      } else if (author.equals(self) && uploads.remove(root) != null) {
        store.removeReferences(uploadId(root)); // Our upload is attached now.
      } else if (!whole(root)) {
        fetch(root, "arrival");
      }
    }
  }

  /**
   * Records that {@code entry} keeps {@code root}; null when done, else why not (a budget, or a
   * size the author got wrong).
   */
  private MediaRefusedException referenced(EntryId entry, Identity author, Cid root, long bytes) {
    ReferenceOutcome o =
        store.addReference(
            entry, author, root, bytes, author.equals(self) ? MediaOrigin.OWN : MediaOrigin.PEER);
    return switch (o) {
      case ADDED, DUPLICATE -> null;
      case REFUSED_AUTHOR_QUOTA ->
          new MediaRefusedException(
              MediaRefusedException.Code.OVER_BUDGET,
              "the author's files would pass this node's media quota per author"
                  + " ([budgets] media_per_author_bytes)");
      case REFUSED_TOTAL_BUDGET ->
          new MediaRefusedException(
              MediaRefusedException.Code.OVER_BUDGET,
              "the file would pass this node's media budget ([budgets] media_total_bytes)");
      case REFUSED_BAD_SIZE ->
          new MediaRefusedException(
              MediaRefusedException.Code.BAD_FILE,
              "the post declares a size its file cannot have (or another post declared another)");
    };
  }

  /**
   * The pseudo entry id that holds a file our user added until a post of ours names it: the SHA-256
   * of "grapevine upload" and the CID, never an entry's id.
   */
  private static EntryId uploadId(Cid root) {
    try {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      d.update("grapevine upload ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return EntryId.of(d.digest(root.bytes()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Whether every block of {@code root} is held. */
  private boolean whole(Cid root) {
    return store.referenced(root) && store.missing(root).isEmpty();
  }

  /** A whole file: its size, and its type read from its first bytes. */
  private record Held(long fileBytes, String mediaType) {}

  private Optional<Held> held(Cid root) {
    if (!whole(root)) {
      return Optional.empty();
    }
    byte[] head;
    try (InputStream in = store.open(root).orElse(InputStream.nullInputStream())) {
      head = in.readNBytes(16);
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(new Held(store.fileBytes(root).orElse(0), MediaType.sniff(head).mime()));
  }

  /**
   * Removes references whose entry is no longer held with its content (a revoked device's purged
   * entries, anything the observer missed) and uploads never attached within {@link
   * #UNATTACHED_GRACE} (or before a restart), with their files.
   */
  private void sweep() {
    try {
      long before = System.currentTimeMillis() - UNATTACHED_GRACE.toMillis();
      java.util.Set<EntryId> keep = new java.util.HashSet<>();
      uploads.forEach(
          (root, at) -> {
            if (at >= before) {
              keep.add(uploadId(root));
            }
          });
      uploads.values().removeIf(at -> at < before);
      int removed =
          store.sweepReferences(
              id ->
                  keep.contains(id)
                      || entries.entryById(id).map(LogEntry::hasContent).orElse(false));
      if (removed > 0) {
        count("references_collected", removed);
        withdrawCollected();
      }
    } catch (RuntimeException e) {
      log.warn("the media sweep failed; the next one tries again", e);
    }
  }

  // ----------------------------------------------------------------------------------- misc

  /** What the media part did since start, for metrics and status (any thread). */
  public Map<String, Long> counters() {
    Map<String, Long> out = new java.util.TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    BitswapService b = bitswap;
    if (b != null) {
      BitswapCounters c = b.counters();
      out.put("bitswap_blocks_received", c.blocksReceived());
      out.put("bitswap_blocks_sent", c.blocksSent());
      out.put("bitswap_block_bytes_sent", c.blockBytesSent());
      out.put("bitswap_duplicate_blocks", c.duplicateBlocks());
      out.put("bitswap_unsolicited_blocks", c.unsolicitedBlocks());
      out.put("bitswap_mismatched_blocks", c.mismatchedBlocks());
      out.put("bitswap_malformed_messages", c.malformedMessages());
      out.put("bitswap_wants_received", c.wantsReceived());
      out.put("bitswap_wants_over_limit", c.wantsOverLimit());
      out.put("bitswap_haves_sent", c.havesSent());
      out.put("bitswap_dont_haves_sent", c.dontHavesSent());
    }
    return out;
  }

  /** Bytes held: per author and in all ({@link MediaStore#usage}). */
  public MediaUsage usage() {
    return store.usage();
  }

  /** The budgets this node's media is kept within. */
  public MediaBudgets budgets() {
    return budgets;
  }

  private void count(String name) {
    count(name, 1);
  }

  private void count(String name, long n) {
    counters.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
  }

  private static Cid parse(String text) throws MediaRefusedException {
    try {
      return Cid.parseText(text);
    } catch (BitswapException e) {
      throw new MediaRefusedException(MediaRefusedException.Code.BAD_CID, e.getMessage(), e);
    }
  }

  /** Runs {@code task} on the media thread and waits for it (callers are API workers). */
  private <T> T onIo(java.util.concurrent.Callable<T> task) throws MediaRefusedException {
    try {
      return io.submit(task).get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof MediaRefusedException m) {
        throw m;
      }
      throw new MediaRefusedException(
          MediaRefusedException.Code.STORAGE, "the media store failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaRefusedException(MediaRefusedException.Code.STORAGE, "interrupted", e);
    }
  }

  @Override
  public void close() {
    BitswapService b = bitswap;
    if (b != null) {
      b.close();
    }
    io.shutdown();
    try {
      if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
        io.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
