package org.grapevine.libp2p.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real js-libp2p peer in a child process ({@code node libp2p/src/test/js/vN/peer.mjs <args>}),
 * for interop tests. The command line and the JSON events are described in {@code
 * libp2p/src/test/js/README.md}.
 *
 * <pre>{@code
 * JsInterop.assumeAvailable(JsPeer.Line.V3);
 * try (JsPeer js = JsPeer.listen(JsPeer.Line.V3, "--echo", "--identify")) {
 *   String addr = js.dialAddr();          // /ip4/127.0.0.1/tcp/<port>/p2p/<peer id>
 *   ... dial it from the Java stack, open /grapevine/echo/1.0.0 ...
 *   JsEvent c = js.awaitEvent("connected", Duration.ofSeconds(10));
 *   JsEvent id = js.awaitEvent("identify", Duration.ofSeconds(10));   // what js learned about us
 * }
 * }</pre>
 *
 * <p>Threading: one daemon thread reads stdout into a blocking queue and another drains stderr; the
 * {@code await*} methods may be called from any one test thread at a time (they are synchronized).
 * Each event is handed out once by {@link #awaitEvent}; {@link #events()} shows all.
 *
 * <p>Lifetime: {@link #close()} closes the peer's stdin (the script then stops libp2p and exits by
 * itself), waits for it, and kills it if it does not go. The script also exits by itself after its
 * {@code --timeout} (30 s unless given), so a crashed test leaves nothing behind for long.
 */
public final class JsPeer implements AutoCloseable {
  /** The two js-libp2p release lines we prove compatibility with (versions: README.md). */
  public enum Line {
    V2,
    V3;

    /** The npm project directory under libp2p/src/test/js. */
    public String dir() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(JsPeer.class);
  private static final JsEvent END_OF_OUTPUT = JsEvent.parse("{\"event\":\"<end of output>\"}");
  private static final int STDERR_KEEP = 64 * 1024;

  private final Line line;
  private final List<String> args;
  private final Process process;
  private final BlockingQueue<JsEvent> incoming = new LinkedBlockingQueue<>();
  private final ArrayDeque<JsEvent> unclaimed = new ArrayDeque<>(); // guarded by this
  private final List<JsEvent> all = new CopyOnWriteArrayList<>();
  private final CountDownLatch listeningSeen = new CountDownLatch(1);
  private final StringBuilder stderr = new StringBuilder(); // guarded by itself
  private final java.util.concurrent.atomic.AtomicInteger commands =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private volatile JsEvent listening;
  private boolean ended; // guarded by this: END_OF_OUTPUT taken from the queue
  private boolean closed; // guarded by this

  private JsPeer(Line line, Path script, List<String> args) throws IOException {
    this.line = line;
    this.args = List.copyOf(args);
    List<String> command = new ArrayList<>();
    command.add(JsInterop.node());
    command.add(script.toString());
    command.addAll(args);
    this.process = new ProcessBuilder(command).directory(script.getParent().toFile()).start();
    String name =
        "js-peer-"
            + (line == null ? script.getParent().getFileName() : line.dir())
            + "-"
            + process.pid();
    this.stdoutReader = new Thread(this::readStdout, name + "-stdout");
    this.stderrReader = new Thread(this::readStderr, name + "-stderr");
    stdoutReader.setDaemon(true);
    stderrReader.setDaemon(true);
    stdoutReader.start();
    stderrReader.start();
  }

  /** Starts {@code node peer.mjs <args>} for this line; does not wait for anything. */
  public static JsPeer start(Line line, List<String> args) {
    try {
      return new JsPeer(line, JsInterop.script(line), args);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the js peer " + line + " " + args, e);
    }
  }

  /**
   * Starts another js peer script that prints the same events (the Helia peer, {@code
   * helia/peer.mjs}) and waits until it listens; {@link #line} is null for it.
   */
  public static JsPeer listenScript(Path script, String... options) {
    JsPeer peer;
    try {
      peer = new JsPeer(null, script, List.of(options));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the js peer " + script, e);
    }
    try {
      peer.listeningEvent(START_TIMEOUT);
    } catch (RuntimeException | Error e) {
      peer.close();
      throw e;
    }
    return peer;
  }

  /** Starts a listener ({@code --listen} plus options) and waits until it listens. */
  public static JsPeer listen(Line line, String... options) {
    List<String> args = new ArrayList<>();
    args.add("--listen");
    args.addAll(List.of(options));
    JsPeer peer = start(line, args);
    try {
      peer.listeningEvent(START_TIMEOUT);
    } catch (RuntimeException | Error e) {
      peer.close();
      throw e;
    }
    return peer;
  }

  /** Starts a dialer ({@code --dial <multiaddr>} plus options: actions such as --ping 3). */
  public static JsPeer dial(Line line, String multiaddr, String... options) {
    List<String> args = new ArrayList<>();
    args.add("--dial");
    args.add(multiaddr);
    args.addAll(List.of(options));
    return start(line, args);
  }

  /** The release line, or null for a peer started with {@link #listenScript}. */
  public Line line() {
    return line;
  }

  /**
   * Returns the next not yet returned event with this name, waiting up to {@code timeout}. Fails
   * (AssertionError with the peer's output) on timeout, when the peer's output ends first, or when
   * an {@code error} event comes first (unless {@code name} is "error"): await "error" first in
   * tests that expect one.
   */
  public JsEvent awaitEvent(String name, Duration timeout) {
    return awaitEvent(name, e -> true, timeout);
  }

  /**
   * Like {@link #awaitEvent(String, Duration)}, for the next not yet returned event with this name
   * that also {@code matches}, e.g. {@code awaitEvent("mesh", e -> e.strings("peers").contains(me),
   * timeout)}. Events of that name that do not match stay available to later calls.
   */
  public synchronized JsEvent awaitEvent(
      String name, Predicate<JsEvent> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Iterator<JsEvent> it = unclaimed.iterator(); it.hasNext(); ) {
        JsEvent e = it.next();
        if (e.name().equals(name) && matches.test(e)) {
          it.remove();
          return e;
        }
        if (e.name().equals("error")) {
          throw failure("the peer printed an error while a test waited for '" + name + "': " + e);
        }
      }
      if (ended) {
        throw failure("the peer's output ended before a matching '" + name + "' event");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw failure("no matching '" + name + "' event within " + timeout);
      }
      JsEvent e;
      try {
        e = incoming.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for '" + name + "'", ie);
      }
      if (e == END_OF_OUTPUT) {
        ended = true;
      } else if (e != null) {
        unclaimed.add(e);
      }
    }
  }

  /** {@code count} events with this name, in order, all within {@code timeout}. */
  public List<JsEvent> awaitEvents(String name, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(awaitEvent(name, Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
    }
    return events;
  }

  /** The peer's {@code listening} event (every peer prints one, dialers too). */
  public JsEvent listeningEvent(Duration timeout) {
    try {
      if (!listeningSeen.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw failure("the peer did not start listening within " + timeout);
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the peer to listen", ie);
    }
    if (listening == null) {
      throw failure("the peer's output ended before it listened");
    }
    return listening;
  }

  /** Its listen addresses, each ending in /p2p/&lt;peer id&gt; (waits for the peer to start). */
  public List<String> listenAddrs() {
    return listeningEvent(START_TIMEOUT).strings("addrs");
  }

  /**
   * The first listen address, /ip4/127.0.0.1/tcp/&lt;port&gt;/p2p/&lt;peer id&gt;: what to dial.
   */
  public String dialAddr() {
    return listenAddrs().get(0);
  }

  /** Its peer ID in base58 (12D3KooW… for Ed25519). */
  public String peerId() {
    return listeningEvent(START_TIMEOUT).string("peerId");
  }

  /**
   * Runs one {@code --dht} command ({@code provide <cid>}, {@code find-providers <cid> [n]}, {@code
   * find-peer <id>}, {@code closest <id>}, {@code put <key hex> <value hex>}, {@code get <key
   * hex>}; README.md, "DHT") and returns its {@code dht-result} event, successful or not ({@code
   * ok}, {@code error}).
   */
  public JsEvent dht(Duration timeout, String command, String... args) {
    String id = Integer.toString(commands.incrementAndGet());
    StringBuilder line = new StringBuilder(id).append(' ').append(command);
    for (String a : args) {
      line.append(' ').append(a);
    }
    send(line.toString());
    return awaitEvent("dht-result", e -> id.equals(e.string("id")), timeout);
  }

  /** Writes one line to the peer's stdin (closing stdin stops the peer: see {@link #close}). */
  public synchronized void send(String line) {
    try {
      process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    } catch (IOException e) {
      throw failure("cannot write to the peer's stdin: " + e);
    }
  }

  /** Every event read so far, in order, including those already returned by awaitEvent. */
  public List<JsEvent> events() {
    return List.copyOf(all);
  }

  /** The tail of the peer's stderr (node warnings, crashes). */
  public String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the peer to exit by itself and returns its exit code (0: no error event printed). */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw failure("the peer did not exit within " + timeout);
      }
      stdoutReader.join(TimeUnit.SECONDS.toMillis(5)); // so that events() holds every line
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the peer to exit", ie);
    }
    return process.exitValue();
  }

  /** Closes stdin so that the peer stops by itself, then waits; kills it if it lingers. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
      stdoutReader.join(TimeUnit.SECONDS.toMillis(5));
      stderrReader.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException ie) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "JsPeer["
        + (line == null ? "script" : line)
        + " pid "
        + process.pid()
        + " "
        + String.join(" ", args)
        + "]";
  }

  private void readStdout() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String text;
      while ((text = in.readLine()) != null) {
        JsEvent e = JsEvent.parse(text);
        LOG.trace("{} {}", this, text);
        all.add(e);
        if (e.name().equals("listening") && listening == null) {
          listening = e;
          listeningSeen.countDown();
        }
        incoming.add(e);
      }
    } catch (IOException e) {
      // the process went away; END_OF_OUTPUT below tells the waiters
    } finally {
      listeningSeen.countDown();
      incoming.add(END_OF_OUTPUT);
    }
  }

  private void readStderr() {
    byte[] buf = new byte[8192];
    try (InputStream in = process.getErrorStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (stderr) {
          stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          if (stderr.length() > STDERR_KEEP) {
            stderr.delete(0, stderr.length() - STDERR_KEEP);
          }
        }
      }
    } catch (IOException e) {
      // the process went away
    }
  }

  private AssertionError failure(String what) {
    StringBuilder sb =
        new StringBuilder(what).append("\n  peer: ").append(this).append("\n  stdout:");
    List<JsEvent> events = events();
    for (JsEvent e : events.subList(Math.max(0, events.size() - 40), events.size())) {
      sb.append("\n    ").append(e.line());
    }
    String err = stderr().strip();
    if (!err.isEmpty()) {
      sb.append("\n  stderr:\n    ").append(err.replace("\n", "\n    "));
    }
    return new AssertionError(sb.toString());
  }
}
