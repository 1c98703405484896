package org.grapevine.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
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
 *   <li>raw TCP (blocking sockets, one direction);
 *   <li>one Yamux stream over Noise over TCP between two hosts (one direction, a sink protocol),
 *       once with each AEAD ({@code -DonlyHost=true -Daead=jdk} runs just that figure);
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
      System.out.printf(
          Locale.ROOT,
          "Yamux/Noise/TCP, 1 stream, %s: %8.1f MB/s%n",
          impl,
          hostMbPerSecond(bytes, impl));
      return;
    }
    double oursEnc = AeadRates.mbPerSecond(AeadImplementation.OURS, bytes, false);
    double oursDec = AeadRates.mbPerSecond(AeadImplementation.OURS, bytes, true);
    double jdkEnc = AeadRates.mbPerSecond(AeadImplementation.JDK, bytes, false);
    double jdkDec = AeadRates.mbPerSecond(AeadImplementation.JDK, bytes, true);
    double tcp = rawTcpMbPerSecond(bytes);
    // The transport under each AEAD, forced per run (the hosts' background self-measurement would
    // otherwise switch ciphers only for connections made after it finishes).
    double withOurs = hostMbPerSecond(bytes, AeadImplementation.OURS);
    double withJdk = hostMbPerSecond(bytes, AeadImplementation.JDK);
    System.clearProperty(AeadImplementation.PROPERTY);
    double hs = handshakesPerSecond(5);
    long echoBytes = Math.min(bytes, 64L << 20);
    double javaEcho = javaEchoMibPerSecond(echoBytes);
    String jsDir = System.getProperty("js");
    System.out.printf(
        Locale.ROOT,
        "ChaCha20-Poly1305 one core, ours:  %8.1f MB/s encrypt, %.1f MB/s decrypt%n"
            + "ChaCha20-Poly1305 one core, JDK's: %8.1f MB/s encrypt, %.1f MB/s decrypt%n",
        oursEnc,
        oursDec,
        jdkEnc,
        jdkDec);
    System.out.printf(Locale.ROOT, "raw TCP:                    %8.1f MB/s%n", tcp);
    System.out.printf(
        Locale.ROOT,
        "Yamux/Noise/TCP, 1 stream, our AEAD:   %8.1f MB/s = %.2f of our AEAD (encrypt),"
            + " %.2f of raw TCP%n",
        withOurs,
        withOurs / oursEnc,
        withOurs / tcp);
    System.out.printf(
        Locale.ROOT,
        "Yamux/Noise/TCP, 1 stream, JDK's AEAD: %8.1f MB/s = %.2f of the JDK's AEAD (encrypt),"
            + " %.2f of our AEAD, %.2f of raw TCP%n",
        withJdk,
        withJdk / jdkEnc,
        withJdk / oursEnc,
        withJdk / tcp);
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

  static double rawTcpMbPerSecond(long bytes) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Long> received =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept();
                    InputStream in = s.getInputStream()) {
                  byte[] buf = new byte[CHUNK];
                  long got = 0;
                  for (int r; (r = in.read(buf)) > 0; ) {
                    got += r;
                  }
                  return got;
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      long start = System.nanoTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          OutputStream out = s.getOutputStream()) {
        byte[] buf = new byte[CHUNK];
        for (long sent = 0; sent < bytes; sent += buf.length) {
          out.write(buf);
        }
      }
      long got = received.get(5, TimeUnit.MINUTES);
      return got / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
  }

  static double hostMbPerSecond(long bytes, AeadImplementation aead) throws Exception {
    System.setProperty(AeadImplementation.PROPERTY, aead.propertyValue());
    try (Host receiver = host("/ip4/127.0.0.1/tcp/0");
        Host sender = host()) {
      receiver.setProtocolHandler(SINK, (stream, conn) -> sink(stream));
      Multiaddr addr = receiver.listenAddrs().get(0).withPeerId(receiver.peerId());
      sendThrough(sender, addr, bytes / 8); // warm-up
      long start = System.nanoTime();
      long got = sendThrough(sender, addr, bytes);
      return got / 1e6 / ((System.nanoTime() - start) / 1e9);
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
