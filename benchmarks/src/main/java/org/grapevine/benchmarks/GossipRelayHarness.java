package org.grapevine.benchmarks;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * Messages per second relayed by the middle node of a line publisher — relay — subscriber, with 1
 * KiB signed messages over real sockets on 127.0.0.1: our node in the middle, then (with {@code
 * -Djs=libp2p/src/test/js}) a js-libp2p node of each line in the middle, same ends, same run. The
 * publisher and subscriber are ours; loss is reported.
 *
 * <p>Usage: {@code java [-Djs=libp2p/src/test/js] -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.GossipRelayHarness [messages]}
 */
public final class GossipRelayHarness {
  static final String TOPIC = "bench";
  private static final Pattern ADDR =
      Pattern.compile("\"(/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/\\w+)\"");

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    System.out.printf(
        Locale.ROOT,
        "%d messages of 1 KiB, publisher -> relay -> subscriber, JDK %s%n",
        n,
        System.getProperty("java.version"));
    // The ends share one group; our relay gets its own, as a js relay has its own process.
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    MultiThreadIoEventLoopGroup relayGroup =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      run(group, relayGroup, null, n / 5); // warm-up
      double[] ours = run(group, relayGroup, null, n);
      System.out.printf(
          Locale.ROOT,
          "relay ours:      %8.0f msg/s end to end, %8.0f msg per relay CPU second%n",
          ours[0],
          ours[1]);
      String js = System.getProperty("js");
      if (js != null) {
        for (String line : new String[] {"v2", "v3"}) {
          double[] theirs =
              run(group, relayGroup, Path.of(js).resolve(line).resolve("peer.mjs"), n);
          System.out.printf(
              Locale.ROOT,
              "relay js %s:     %8.0f msg/s end to end, %8.0f msg per relay CPU second  (ours/js = %.2f end to end, %.2f per CPU second)%n",
              line,
              theirs[0],
              theirs[1],
              ours[0] / theirs[0],
              ours[1] / theirs[1]);
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      relayGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  /**
   * One run; {@code jsScript} null puts our node in the middle. Returns delivered messages per
   * second.
   */
  /**
   * One run; {@code jsScript} null puts our node in the middle. Returns {messages delivered per
   * second end to end, messages relayed per CPU second of the relay} (our relay's event-loop
   * thread, or the js process's user+system time from /proc).
   */
  static double[] run(
      MultiThreadIoEventLoopGroup group,
      MultiThreadIoEventLoopGroup relayGroup,
      Path jsScript,
      int n)
      throws Exception {
    Process js = null;
    Host relayHost = null;
    GossipDriver relay = null;
    try (Host pubHost = host(group, false);
        Host subHost = host(group, true)) {
      Multiaddr relayAddr;
      if (jsScript == null) {
        relayHost = host(relayGroup, true);
        relay = driver(relayHost, relayGroup);
        relay.subscribe(TOPIC).get();
        relayAddr = relayHost.listenAddrs().get(0).withPeerId(relayHost.peerId());
      } else {
        js =
            new ProcessBuilder(
                    "node",
                    jsScript.toString(),
                    "--listen",
                    "--gossip",
                    "--subscribe",
                    TOPIC,
                    "--msgid",
                    "from-seqno",
                    "--stay",
                    "--timeout",
                    "600")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        relayAddr = Multiaddr.parse(readAddr(js));
      }
      GossipDriver pub = driver(pubHost, group);
      GossipDriver sub = driver(subHost, group);
      AtomicInteger received = new AtomicInteger();
      AtomicLong last = new AtomicLong();
      sub.setMessageHandler(
          (m, verdict) -> {
            received.incrementAndGet();
            last.set(System.nanoTime());
            verdict.accept(Acceptance.ACCEPT);
          });
      pub.subscribe(TOPIC).get();
      sub.subscribe(TOPIC).get();
      pubHost.dial(relayAddr).get(10, TimeUnit.SECONDS);
      subHost.dial(relayAddr).get(10, TimeUnit.SECONDS);
      long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while ((pub.meshPeers(TOPIC).get().isEmpty() || sub.meshPeers(TOPIC).get().isEmpty())
          && System.nanoTime() < wait) {
        Thread.sleep(20);
      }
      Thread.sleep(1500); // Let the relay graft both ends too (its heartbeat is 1 s).
      byte[] payload = new byte[1024];
      long cpuBefore = jsScript == null ? relayThreadCpu(relayGroup) : processCpu(js);
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        payload[0] = (byte) i;
        payload[1] = (byte) (i >> 8);
        var unused =
            pub.publish(
                TOPIC, payload.clone()); // Its end is not waited for; metrics() below paces.
        if (i % 500 == 499) {
          pub.metrics()
              .get(); // Lets the publisher's executor keep up instead of queueing everything.
        }
      }
      long published = System.nanoTime();
      long idleLimit = TimeUnit.SECONDS.toNanos(5);
      while (received.get() < n && System.nanoTime() - Math.max(last.get(), start) < idleLimit) {
        Thread.sleep(20);
      }
      int got = received.get();
      double rate = got / ((last.get() - start) / 1e9);
      long cpu = (jsScript == null ? relayThreadCpu(relayGroup) : processCpu(js)) - cpuBefore;
      if (Boolean.getBoolean("verbose")) {
        System.out.printf(
            Locale.ROOT,
            "  publishing took %.2f s, delivery %.2f s%n",
            (published - start) / 1e9,
            (last.get() - start) / 1e9);
      }
      if (got < n) {
        System.out.printf(
            Locale.ROOT,
            "  (%s relay lost %d of %d messages)%n",
            jsScript == null ? "our" : "js",
            n - got,
            n);
      }
      pub.close();
      sub.close();
      return new double[] {rate, got / (cpu / 1e9)};
    } finally {
      if (relay != null) {
        relay.close();
      }
      if (relayHost != null) {
        relayHost.close();
      }
      if (js != null) {
        js.getOutputStream().close(); // The js peer exits when its stdin closes.
        if (!js.waitFor(5, TimeUnit.SECONDS)) {
          js.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** CPU nanoseconds of the relay group's (single) event-loop thread. */
  static long relayThreadCpu(MultiThreadIoEventLoopGroup relayGroup) throws Exception {
    long[] tid = new long[1];
    relayGroup.next().submit(() -> tid[0] = Thread.currentThread().getId()).get();
    return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(tid[0]);
  }

  /** User + system CPU nanoseconds of a child process, from /proc (Linux). */
  static long processCpu(Process p) throws Exception {
    String stat = java.nio.file.Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    return ticks * 1_000_000_000L / 100; // USER_HZ is 100 on Linux.
  }

  static Host host(MultiThreadIoEventLoopGroup group, boolean listen) throws Exception {
    HostConfig.Builder b =
        HostConfig.builder(PrivKey.generate(new SecureRandom())).inboundRate(1000, 1000);
    if (listen) {
      b.listen("/ip4/127.0.0.1/tcp/0");
    }
    Host h = new Host(b.build(), group);
    h.start();
    return h;
  }

  static GossipDriver driver(Host h, MultiThreadIoEventLoopGroup group) {
    GossipConfig config =
        GossipConfig.builder()
            .initialSeqno(System.currentTimeMillis() * 1_000_000L)
            .maxOutboundQueuePerPeer(1 << 20)
            .maxPendingValidations(1 << 20)
            .build();
    GossipDriver d = new GossipDriver(h, config, new SplittableRandom(), group.next());
    d.start();
    return d;
  }

  static String readAddr(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String l; (l = out.readLine()) != null; ) {
      Matcher m = ADDR.matcher(l);
      if (m.find()) {
        String addr = m.group(1);
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // Keep the pipe from filling up.
                    }
                  } catch (java.io.IOException ignored) {
                    // The process ended.
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return addr;
      }
    }
    throw new IllegalStateException("the js relay printed no address");
  }
}
