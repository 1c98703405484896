package org.grapevine.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.noise.crypto.AeadImplementation;

/**
 * Loopback transport figures in one run, each against its baseline:
 *
 * <ul>
 *   <li>single-core ChaCha20-Poly1305, ours and the JDK's ({@link AeadRates}), 65,519-byte
 *       messages;
 *   <li>raw TCP (blocking sockets, one direction), with the CPU its two threads spend per byte;
 *   <li>one Yamux stream over Noise over TCP between two hosts (one direction, a sink protocol),
 *       with each AEAD, the median of three rounds after a warm-up, with the process's CPU per byte
 *       ({@code -DonlyHost=true -Daead=jdk} runs just that figure);
 *   <li>the ceiling of that figure on this machine: what one stream would reach doing only the work
 *       no transport avoids (encrypt and decrypt each byte, move it through loopback TCP), at the
 *       rates measured above, on the machine's cores ({@link #ceilingMbPerSecond});
 *   <li>Noise handshakes per second (dial, upgrade, close, repeated).
 * </ul>
 *
 * <li>echo over one stream, Java to Java, and (with {@code -Djs=libp2p/src/test/js}) js-libp2p to
 *     js-libp2p for both lines, the same size, in the same run. Usage: {@code java
 *     [-Djs=libp2p/src/test/js] -cp benchmarks/target/benchmarks.jar
 *     org.grapevine.benchmarks.TransportHarness [MiB]}
 */
public final class TransportHarness {
  static final String SINK = "/grapevine/bench/sink/1.0.0";
  private static final int CHUNK = 64 * 1024;

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    long bytes = (long) mib << 20;
    System.out.printf(
        Locale.ROOT, "transfer size %d MiB, JDK %s%n", mib, System.getProperty("java.version"));
    if (Boolean.getBoolean("onlyHost")) {
      AeadImplementation impl =
          AeadImplementation.valueOf(System.getProperty("aead", "OURS").toUpperCase(Locale.ROOT));
      Transfer t = hostTransfer(bytes, impl);
      System.out.printf(
          Locale.ROOT,
          "Yamux/Noise/TCP, 1 stream, %s: %8.1f MB/s = %.2f of its AEAD (encrypt, one core: %.1f"
              + " MB/s around the round), %.2f ns CPU per byte%n",
          impl,
          t.mbPerSecond(),
          t.ratio(),
          t.aeadMbPerSecond(),
          t.cpuNanosPerByte());
      return;
    }
    double oursEnc = AeadRates.mbPerSecond(AeadImplementation.OURS, bytes, false);
    double oursDec = AeadRates.mbPerSecond(AeadImplementation.OURS, bytes, true);
    double jdkEnc = AeadRates.mbPerSecond(AeadImplementation.JDK, bytes, false);
    double jdkDec = AeadRates.mbPerSecond(AeadImplementation.JDK, bytes, true);
    RawTcp tcp = rawTcp(bytes);
    // The transport under each AEAD, forced per run (the hosts' background self-measurement would
    // otherwise switch ciphers only for connections made after it finishes).
    Transfer withOurs = hostTransfer(bytes, AeadImplementation.OURS);
    Transfer withJdk = hostTransfer(bytes, AeadImplementation.JDK);
    System.clearProperty(AeadImplementation.PROPERTY);
    double hs = handshakesPerSecond(5);
    long echoBytes = Math.min(bytes, 64L << 20);
    double javaEcho = javaEchoMibPerSecond(echoBytes);
    String jsDir = System.getProperty("js");
    int cores = Runtime.getRuntime().availableProcessors();
    double oursCeiling = ceilingMbPerSecond(oursEnc, oursDec, tcp, cores);
    double jdkCeiling = ceilingMbPerSecond(jdkEnc, jdkDec, tcp, cores);
    System.out.printf(
        Locale.ROOT,
        "ChaCha20-Poly1305 one core, ours:  %8.1f MB/s encrypt, %.1f MB/s decrypt%n"
            + "ChaCha20-Poly1305 one core, JDK's: %8.1f MB/s encrypt, %.1f MB/s decrypt%n",
        oursEnc,
        oursDec,
        jdkEnc,
        jdkDec);
    System.out.printf(
        Locale.ROOT,
        "raw TCP:                    %8.1f MB/s, %.2f ns CPU per byte (both threads)%n",
        tcp.mbPerSecond(),
        tcp.cpuNanosPerByte());
    printTransport("our AEAD", withOurs, oursEnc, oursEnc, oursCeiling, tcp, cores);
    printTransport("JDK's AEAD", withJdk, jdkEnc, oursEnc, jdkCeiling, tcp, cores);
    System.out.printf(Locale.ROOT, "handshakes (dial+upgrade):  %8.1f /s%n", hs);
    System.out.printf(
        Locale.ROOT,
        "echo %d MiB, 1 stream, Java<->Java: %8.1f MiB/s%n",
        echoBytes >> 20,
        javaEcho);
    if (jsDir != null) {
      for (String line : new String[] {"v2", "v3"}) {
        double js = JsEcho.mibPerSecond(java.nio.file.Path.of(jsDir), line, echoBytes);
        System.out.printf(
            Locale.ROOT,
            "echo %d MiB, 1 stream, js %s<->js %s: %8.1f MiB/s  (Java/js = %.2f)%n",
            echoBytes >> 20,
            line,
            line,
            js,
            javaEcho / js);
      }
    }
  }

  private static void printTransport(
      String name,
      Transfer t,
      double aeadMbps,
      double oursMbps,
      double ceiling,
      RawTcp tcp,
      int cores) {
    System.out.printf(
        Locale.ROOT,
        "Yamux/Noise/TCP, 1 stream, %s: %8.1f MB/s = %.2f of its AEAD (encrypt, one core: %.1f"
            + " MB/s around the round), %.2f of our AEAD, %.2f of raw TCP; %.2f ns CPU per byte%n",
        name,
        t.mbPerSecond(),
        t.ratio(),
        t.aeadMbPerSecond(),
        t.mbPerSecond() / oursMbps,
        t.mbPerSecond() / tcp.mbPerSecond(),
        t.cpuNanosPerByte());
    System.out.printf(
        Locale.ROOT,
        "  ceiling here (%d cores; cipher both ways + raw TCP's CPU, nothing else): %.1f MB/s ="
            + " %.2f of its AEAD; the transport reaches %.2f of it%n",
        cores,
        ceiling,
        ceiling / aeadMbps,
        t.mbPerSecond() / ceiling);
  }

  /**
   * Raw TCP on loopback, one direction: its rate, and the CPU both threads spent per byte (their
   * own CPU time, so the JIT and GC are not in it): the kernel's share of moving a byte through
   * loopback TCP, which a transport pays on top of its own work.
   */
  record RawTcp(double mbPerSecond, double cpuNanosPerByte) {}

  static RawTcp rawTcp(long bytes) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      long[] readerCpu = {0};
      CompletableFuture<Long> received =
          CompletableFuture.supplyAsync(
              () -> {
                long cpu0 = threads.getCurrentThreadCpuTime();
                try (Socket s = server.accept();
                    InputStream in = s.getInputStream()) {
                  byte[] buf = new byte[CHUNK];
                  long got = 0;
                  for (int r; (r = in.read(buf)) > 0; ) {
                    got += r;
                  }
                  readerCpu[0] = threads.getCurrentThreadCpuTime() - cpu0;
                  return got;
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      long start = System.nanoTime();
      long cpu0 = threads.getCurrentThreadCpuTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          OutputStream out = s.getOutputStream()) {
        byte[] buf = new byte[CHUNK];
        for (long sent = 0; sent < bytes; sent += buf.length) {
          out.write(buf);
        }
      }
      long writerCpu = threads.getCurrentThreadCpuTime() - cpu0;
      long got = received.get(5, TimeUnit.MINUTES); // happens-before: readerCpu is set
      double mbps = got / 1e6 / ((System.nanoTime() - start) / 1e9);
      return new RawTcp(mbps, (writerCpu + readerCpu[0]) / (double) got);
    }
  }

  /**
   * The most one stream could reach on this machine if it did nothing but the work no transport can
   * avoid: encrypt and decrypt every byte once (the one-core rates, MB/s) and move it through
   * loopback TCP (raw TCP's CPU per byte), the sender and the receiver each on one core, on {@code
   * cores} cores in all. The kernel's part is split evenly between the two sides. MB/s.
   */
  static double ceilingMbPerSecond(double encMbps, double decMbps, RawTcp tcp, int cores) {
    double enc = 1e3 / encMbps; // ns per byte
    double dec = 1e3 / decMbps;
    double kernel = tcp.cpuNanosPerByte();
    double perSide = 1e3 / Math.max(enc + kernel / 2, dec + kernel / 2);
    double allCores = cores * 1e3 / (enc + dec + kernel);
    return Math.min(perSide, allCores);
  }

  /** One stream's rate (MB/s) and the whole process's CPU per byte while it ran. */
  record Transfer(double mbPerSecond, double cpuNanosPerByte, double aeadMbPerSecond) {
    /** The rate over its AEAD's one-core encryption rate measured around the same round. */
    double ratio() {
      return mbPerSecond / aeadMbPerSecond;
    }
  }

  /**
   * Yamux/Noise/TCP between two hosts under {@code aead}: a warm-up of an eighth, then three rounds
   * of {@code bytes}, each between two measurements of the AEAD's one-core encryption rate (a
   * quarter of {@code bytes} each); the round with the median ratio of the two. Why: a single round
   * after a short warm-up (before 2026-12-03) also measured the JIT compiling the path, and this
   * shared VM's speed drifts between runs and within one (the same AEAD measured 0.93-1.19 GB/s),
   * so a baseline taken a minute earlier can be off by a quarter; the one around the round is not.
   */
  static Transfer hostTransfer(long bytes, AeadImplementation aead) throws Exception {
    System.setProperty(AeadImplementation.PROPERTY, aead.propertyValue());
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (Host receiver = host("/ip4/127.0.0.1/tcp/0");
        Host sender = host()) {
      receiver.setProtocolHandler(SINK, (stream, conn) -> sink(stream));
      Multiaddr addr = receiver.listenAddrs().get(0).withPeerId(receiver.peerId());
      sendThrough(sender, addr, bytes / 8); // warm-up
      List<Transfer> rounds = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        double before = AeadRates.mbPerSecond(aead, bytes / 4, false);
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        long got = sendThrough(sender, addr, bytes);
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = os.getProcessCpuTime() - cpu0;
        double after = AeadRates.mbPerSecond(aead, bytes / 4, false);
        rounds.add(new Transfer(got / 1e6 / seconds, cpu / (double) got, (before + after) / 2));
      }
      rounds.sort(Comparator.comparingDouble(Transfer::ratio));
      return rounds.get(1);
    }
  }

  /**
   * Writes {@code bytes} to the sink, following the stream's writability; returns what the sink
   * counted.
   */
  static long sendThrough(Host sender, Multiaddr addr, long bytes) throws Exception {
    NegotiatedStream ns = sender.newStream(addr, List.of(SINK)).get(10, TimeUnit.SECONDS);
    MuxedStream s = ns.stream();
    CompletableFuture<Long> counted = new CompletableFuture<>();
    Pump pump = new Pump(s, bytes);
    s.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream st, ByteBuf data) {
            counted.complete(data.readLong());
            data.release();
          }

          @Override
          public void onRemoteClosed(MuxedStream st) {}

          @Override
          public void onReset(MuxedStream st) {
            counted.completeExceptionally(new IllegalStateException("sink stream reset"));
          }

          @Override
          public void onWritable(MuxedStream st) {
            if (!pump.done()) {
              pump.run();
            }
          }
        });
    s.executor().execute(pump);
    long got = counted.get(5, TimeUnit.MINUTES);
    pump.release();
    return got;
  }

  /**
   * Writes {@code bytes} zero bytes in 64 KiB chunks while the stream is writable, then
   * half-closes; call {@link Pump#run} once on the stream's executor and again from {@code
   * onWritable}.
   */
  static final class Pump implements Runnable {
    private final MuxedStream stream;
    private final long bytes;
    private final ByteBuf chunk = Unpooled.directBuffer(CHUNK).writeZero(CHUNK);
    long sent;

    Pump(MuxedStream stream, long bytes) {
      this.stream = stream;
      this.bytes = bytes;
    }

    @Override
    public void run() {
      while (sent < bytes && stream.isWritable()) {
        stream.write(chunk.retainedDuplicate());
        sent += CHUNK;
      }
      if (sent >= bytes) {
        stream.closeWrite();
      }
    }

    boolean done() {
      return sent >= bytes;
    }

    void release() {
      chunk.release();
    }
  }

  /** Counts and drops what arrives; on the sender's FIN answers the count (8 bytes) and closes. */
  static void sink(MuxedStream stream) {
    long[] count = {0};
    stream.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            count[0] += data.readableBytes();
            data.release();
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {
            s.write(Unpooled.buffer(8).writeLong(count[0]));
            s.closeWrite();
          }

          @Override
          public void onReset(MuxedStream s) {}
        });
  }

  /**
   * Round trip through the echo protocol: write {@code bytes} (following writability), read them
   * all back.
   */
  static double javaEchoMibPerSecond(long bytes) throws Exception {
    try (Host server = host("/ip4/127.0.0.1/tcp/0");
        Host client = host()) {
      server.setProtocolHandler(
          org.grapevine.libp2p.echo.EchoProtocol.ID,
          (stream, conn) -> org.grapevine.libp2p.echo.EchoProtocol.respond(stream));
      Multiaddr addr = server.listenAddrs().get(0).withPeerId(server.peerId());
      echoOnce(client, addr, bytes / 8); // warm-up
      long start = System.nanoTime();
      echoOnce(client, addr, bytes);
      return (bytes / (double) (1 << 20)) / ((System.nanoTime() - start) / 1e9);
    }
  }

  static void echoOnce(Host client, Multiaddr addr, long bytes) throws Exception {
    NegotiatedStream ns =
        client
            .newStream(addr, List.of(org.grapevine.libp2p.echo.EchoProtocol.ID))
            .get(10, TimeUnit.SECONDS);
    MuxedStream s = ns.stream();
    CompletableFuture<Void> back = new CompletableFuture<>();
    Pump pump = new Pump(s, bytes);
    long[] received = {0};
    s.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream st, ByteBuf data) {
            received[0] += data.readableBytes();
            data.release();
          }

          @Override
          public void onRemoteClosed(MuxedStream st) {
            if (received[0] == pump.sent) {
              back.complete(null);
            } else {
              back.completeExceptionally(
                  new IllegalStateException(
                      "echoed " + received[0] + " of " + pump.sent + " bytes"));
            }
          }

          @Override
          public void onReset(MuxedStream st) {
            back.completeExceptionally(new IllegalStateException("echo stream reset"));
          }

          @Override
          public void onWritable(MuxedStream st) {
            if (!pump.done()) {
              pump.run();
            }
          }
        });
    s.executor().execute(pump);
    back.get(5, TimeUnit.MINUTES);
    pump.release();
  }

  static double handshakesPerSecond(int seconds) throws Exception {
    try (Host receiver = host("/ip4/127.0.0.1/tcp/0");
        Host dialer = host()) {
      Multiaddr addr = receiver.listenAddrs().get(0); // No /p2p: every dial is a new connection.
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() < end) {
        Connection c = dialer.dial(addr).get(10, TimeUnit.SECONDS);
        c.close();
        n++;
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  static Host host(String... listen) throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen(listen)
                .inboundRate(1e6, 1_000_000)
                .maxConnections(100_000)
                .maxConnectionsPerPeer(100_000)
                .streamReceiveWindowBytes(Integer.getInteger("window", 1 << 20))
                .build());
    h.start();
    return h;
  }
}
