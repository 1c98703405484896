package org.grapevine.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.grapevine.libp2p.bitswap.BitswapCounters;
import org.grapevine.libp2p.bitswap.BitswapLimits;
import org.grapevine.libp2p.bitswap.BlockSource;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.netty.BitswapService;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Fetch throughput of one file from one peer on loopback (issue 18), every figure in one run
 * against its baselines: raw TCP; one Yamux stream over Noise over TCP between two of our hosts
 * (the transport ceiling for one peer); our Bitswap fetching the file's 1 MiB raw blocks from our
 * Bitswap with W fetches in flight; and with {@code -Djs=libp2p/src/test/js}, Helia serving us, us
 * serving Helia ({@code cat} of the UnixFS root, timed from the command to its result), and Helia
 * serving Helia. Each figure: warm-up rounds ({@code -Dwarmups}, default 512 MiB worth; {@code
 * -DheliaWarmups}, 2), then {@code -Drounds} rounds (5): the median, the range, the cores the
 * processes involved kept busy (this JVM, plus the Helia processes of that figure) and their CPU
 * per MiB.
 *
 * <p>Helia keeps what it fetches, and we keep what we fetch from Helia to serve it in turn, so
 * every Helia round has a file of its own: Helia adds them all first (random, 50 MiB each).
 *
 * <p>Usage: {@code java [-Djs=libp2p/src/test/js] [-Drounds=5] [-Dwindows=8,16,32] -cp
 * benchmarks/target/benchmarks.jar org.grapevine.benchmarks.BitswapHarness [MiB]}
 */
public final class BitswapHarness {
  private static final int BLOCK = 1 << 20;
  private static final double MIB = 1 << 20;
  private static final Pattern BYTES = Pattern.compile("\"bytes\":(\\d+)");

  /** Blocks in memory, as a node's store would answer them. */
  static final class Store implements BlockSource {
    final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();

    @Override
    public boolean has(Cid cid) {
      return blocks.containsKey(cid);
    }

    @Override
    public Optional<byte[]> get(Cid cid) {
      return Optional.ofNullable(blocks.get(cid));
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("rounds", 5);
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    // Enough warm-up that C2 has compiled the transport (its compiler threads count in the CPU).
    int warmups = Integer.getInteger("warmups", Math.max(3, 512 / mib));
    // Helia's rounds each need a file of their own, held in memory by both sides: fewer warm-ups.
    int heliaWarmups = Integer.getInteger("heliaWarmups", 2);
    int[] windows =
        Arrays.stream(System.getProperty("windows", "8,16,32").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    long bytes = (long) mib << 20;
    System.out.printf(
        Locale.ROOT,
        "file %d MiB (%d raw blocks of 1 MiB); each figure: %d warm-up rounds (%d with Helia), then"
            + " the median of %d; JDK %s, %d cores (both ends share them)%n",
        mib,
        mib,
        warmups,
        heliaWarmups,
        rounds,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-38s %8s %15s %8s %8s %6s %9s%n",
        "figure",
        "MiB/s",
        "(min-max)",
        "/rawTCP",
        "/stream",
        "cores",
        "CPUms/MiB");
    LongSupplier javaCpu = BitswapHarness::javaCpuNanos;

    // 1. Raw TCP.
    Rounds tcp =
        measure(
            warmups,
            rounds,
            javaCpu,
            () -> TransportHarness.rawTcp(bytes).mbPerSecond() > 0 ? mib : 0);
    row("raw TCP, one direction", tcp, tcp.median(), Double.NaN);

    // 2. One Yamux stream over Noise over TCP between two hosts.
    Rounds stream;
    try (Host receiver = TransportHarness.host("/ip4/127.0.0.1/tcp/0");
        Host sender = TransportHarness.host()) {
      receiver.setProtocolHandler(TransportHarness.SINK, (s, conn) -> TransportHarness.sink(s));
      Multiaddr addr = receiver.listenAddrs().get(0).withPeerId(receiver.peerId());
      stream =
          measure(
              warmups,
              rounds,
              javaCpu,
              () -> TransportHarness.sendThrough(sender, addr, bytes) / MIB);
    }
    row("1 Yamux stream/Noise/TCP, Java-Java", stream, tcp.median(), stream.median());

    // 3. Java serves, Java fetches.
    Random random = new Random(18);
    byte[] file = new byte[(int) bytes];
    random.nextBytes(file);
    List<Cid> leaves = new ArrayList<>();
    Store serverStore = new Store();
    for (int at = 0; at < file.length; at += BLOCK) {
      byte[] leaf = Arrays.copyOfRange(file, at, Math.min(file.length, at + BLOCK));
      Cid cid = Cid.rawSha256(leaf);
      serverStore.blocks.put(cid, leaf);
      leaves.add(cid);
    }
    BitswapLimits limits = BitswapLimits.defaults();
    try (Host server = TransportHarness.host("/ip4/127.0.0.1/tcp/0");
        Host client = TransportHarness.host("/ip4/127.0.0.1/tcp/0");
        BitswapService served = BitswapService.start(server, serverStore, limits, m -> {});
        BitswapService fetcher = BitswapService.start(client, new Store(), limits, m -> {})) {
      client
          .dial(server.listenAddrs().get(0).withPeerId(server.peerId()))
          .get(10, TimeUnit.SECONDS);
      for (int w : windows) {
        Rounds r =
            measure(
                warmups,
                rounds,
                javaCpu,
                () -> fetchAll(fetcher, leaves, server.peerId(), w, null));
        row("Bitswap Java -> Java, W=" + w, r, tcp.median(), stream.median());
      }
      System.out.printf(
          Locale.ROOT,
          "  (server: %d blocks sent, %d MiB; its limit of block bytes in flight per peer %d MiB)%n",
          served.counters().blocksSent(),
          served.counters().blockBytesSent() >> 20,
          limits.maxBytesInFlightPerPeer() >> 20);

      String jsDir = System.getProperty("js");
      if (jsDir == null) {
        System.out.println("(no -Djs: the Helia figures are skipped)");
        return;
      }
      helia(
          Path.of(jsDir),
          heliaWarmups,
          rounds,
          windows,
          mib,
          random,
          tcp.median(),
          stream.median(),
          server,
          serverStore,
          client,
          fetcher);
    }
  }

  /**
   * 4-6: Helia serves us, we serve Helia, Helia serves Helia. {@code server} (with {@code store})
   * serves what {@code fetcher} on {@code client} fetched from Helia.
   */
  private static void helia(
      Path jsDir,
      int warmups,
      int rounds,
      int[] windows,
      int mib,
      Random random,
      double tcp,
      double stream,
      Host server,
      Store store,
      Host client,
      BitswapService fetcher)
      throws Exception {
    Path dir = Files.createTempDirectory("bitswap-harness");
    try (HeliaProcess source = new HeliaProcess(jsDir)) {
      // Helia keeps what it fetches and so do we (for 5), so every round has a file of its own.
      int count = Math.max(windows.length * (warmups + rounds), warmups + rounds);
      List<String> roots = new ArrayList<>();
      List<List<Cid>> files = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] file = new byte[mib << 20];
        random.nextBytes(file);
        Path f = Files.write(dir.resolve("file" + i), file);
        String added = source.command("add", "\"file\":\"" + f + "\"");
        Files.delete(f);
        roots.add(HeliaProcess.cid(added));
        List<Cid> cids = new ArrayList<>();
        cids.add(Cid.parseText(HeliaProcess.cid(added)));
        for (String leaf : HeliaProcess.leaves(added)) {
          cids.add(Cid.parseText(leaf));
        }
        files.add(cids);
      }
      PeerId heliaId = PeerId.parse(source.peerId());
      client.dial(Multiaddr.parse(source.dialAddr())).get(30, TimeUnit.SECONDS);
      source.awaitIdentified(client.peerId().toString());

      // 4. Helia serves, Java fetches (root and leaves); every block we get goes into the Java
      // server's store for 5.
      Store got = new Store();
      LongSupplier withSource = () -> javaCpuNanos() + source.cpuNanos();
      int[] next = {0};
      for (int w : windows) {
        long java0 = javaCpuNanos();
        long node0 = source.cpuNanos();
        Rounds r =
            measure(
                warmups,
                rounds,
                withSource,
                () -> fetchAll(fetcher, files.get(next[0]++), heliaId, w, got));
        row("Bitswap Helia -> Java, W=" + w, r, tcp, stream);
        BitswapCounters c = fetcher.counters();
        System.out.printf(
            Locale.ROOT,
            "  (CPU split, warm-ups included: Java %.0f%%, Helia %.0f%%; so far from Helia: %d"
                + " blocks received, %d duplicate, %d unsolicited)%n",
            100.0 * (javaCpuNanos() - java0) / (javaCpuNanos() - java0 + source.cpuNanos() - node0),
            100.0
                * (source.cpuNanos() - node0)
                / (javaCpuNanos() - java0 + source.cpuNanos() - node0),
            c.blocksReceived(),
            c.duplicateBlocks(),
            c.unsolicitedBlocks());
      }
      store.blocks.putAll(got.blocks);

      // 5. Java serves, Helia fetches: a Helia connected only to our server cats each file.
      try (HeliaProcess reader = new HeliaProcess(jsDir)) {
        reader.command(
            "dial", "\"addr\":\"" + server.listenAddrs().get(0).withPeerId(server.peerId()) + "\"");
        reader.awaitIdentified(server.peerId().toString());
        int[] i = {0};
        Rounds r =
            measure(
                warmups,
                rounds,
                () -> javaCpuNanos() + reader.cpuNanos(),
                () -> cat(reader, roots.get(i[0]++)));
        row("Bitswap Java -> Helia (Helia cat)", r, tcp, stream);
      }
      // 6. Helia serves, Helia fetches.
      try (HeliaProcess reader = new HeliaProcess(jsDir)) {
        reader.command("dial", "\"addr\":\"" + source.dialAddr() + "\"");
        reader.awaitIdentified(source.peerId());
        int[] i = {0};
        Rounds r =
            measure(
                warmups,
                rounds,
                () -> source.cpuNanos() + reader.cpuNanos(),
                () -> cat(reader, roots.get(i[0]++)));
        row("Bitswap Helia -> Helia (Helia cat)", r, tcp, stream);
      }
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  /** Helia reads the UnixFS file {@code root} (from its peers) into memory; MiB read. */
  private static double cat(HeliaProcess reader, String root) throws Exception {
    String res = reader.command("cat", "\"cid\":\"" + root + "\",\"timeoutMs\":600000");
    Matcher m = BYTES.matcher(res);
    if (!m.find()) {
      throw new IllegalStateException("no byte count in " + res);
    }
    return Long.parseLong(m.group(1)) / MIB;
  }

  /** One round of a figure: moves data and returns how many MiB. */
  interface Round {
    double run() throws Exception;
  }

  /** The rounds of one figure: their rates, and the CPU the processes involved spent in them. */
  static final class Rounds {
    final List<Double> rates = new ArrayList<>();
    long cpuNanos;
    long wallNanos;
    double mib;

    double median() {
      List<Double> s = new ArrayList<>(rates);
      Collections.sort(s);
      return s.get(s.size() / 2);
    }

    double min() {
      return Collections.min(rates);
    }

    double max() {
      return Collections.max(rates);
    }

    /** Cores kept busy on average (2 = this machine saturated). */
    double cores() {
      return cpuNanos / (double) wallNanos;
    }

    double cpuMillisPerMib() {
      return cpuNanos / 1e6 / mib;
    }
  }

  /** {@code warmups} unmeasured rounds, then {@code rounds} measured ones. */
  static Rounds measure(int warmups, int rounds, LongSupplier cpu, Round round) throws Exception {
    for (int i = 0; i < warmups; i++) {
      round.run();
    }
    Rounds r = new Rounds();
    for (int i = 0; i < rounds; i++) {
      long cpu0 = cpu.getAsLong();
      long start = System.nanoTime();
      double mib = round.run();
      long wall = System.nanoTime() - start;
      r.cpuNanos += cpu.getAsLong() - cpu0;
      r.wallNanos += wall;
      r.mib += mib;
      r.rates.add(mib / (wall / 1e9));
    }
    return r;
  }

  static long javaCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Fetches every CID from {@code peer} with at most {@code window} fetches open; MiB of block
   * bytes. Blocks go into {@code keep} if given.
   */
  // The whenComplete callback handles both outcomes itself.
  @SuppressWarnings("FutureReturnValueIgnored")
  private static double fetchAll(
      BitswapService s, List<Cid> cids, PeerId peer, int window, Store keep) throws Exception {
    Semaphore open = new Semaphore(window);
    AtomicLong received = new AtomicLong();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    for (Cid cid : cids) {
      open.acquire();
      s.fetch(cid, List.of(peer))
          .whenComplete(
              (b, e) -> {
                if (e != null) {
                  failed.compareAndSet(null, e);
                } else {
                  received.addAndGet(b.length);
                  if (keep != null) {
                    keep.blocks.put(cid, b);
                  }
                }
                open.release();
              });
    }
    if (!open.tryAcquire(window, 5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("fetches still open after 5 minutes");
    }
    if (failed.get() != null) {
      throw new IllegalStateException("a fetch failed", failed.get());
    }
    return received.get() / MIB;
  }

  private static void row(String name, Rounds r, double tcp, double stream) {
    double rate = r.median();
    System.out.printf(
        Locale.ROOT,
        "%-38s %8.1f %15s %8.3f %8s %6.2f %9.1f%n",
        name,
        rate,
        String.format(Locale.ROOT, "(%.0f-%.0f)", r.min(), r.max()),
        rate / tcp,
        Double.isNaN(stream) ? "" : String.format(Locale.ROOT, "%.2f", rate / stream),
        r.cores(),
        r.cpuMillisPerMib());
  }

  private BitswapHarness() {}
}
