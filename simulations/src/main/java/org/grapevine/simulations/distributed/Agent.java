package org.grapevine.simulations.distributed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.engine.Engine;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.real.RealCluster;
import org.grapevine.simulations.real.RealEngine;
import org.grapevine.simulations.real.RealMeasurements;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioException;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.grapevine.simulations.virtual.PostCatalog;

/**
 * One agent: connects to the coordinator, is given its number, the scenario and the seed, builds
 * the same inputs and identities every agent builds from them, and runs its share of the real nodes
 * ({@link RealCluster}) step by step as told. It reports the posts its nodes store (on its own
 * clock; the coordinator converts), sends a heartbeat with its nodes' mesh changes every second,
 * and its counters when told to finish.
 *
 * <p>It ends when told to stop (exit 0), or when the coordinator is gone or silent for three
 * heartbeats, or a step fails (exit 1, after telling the coordinator what failed when it can): an
 * agent never outlives its run.
 */
public final class Agent {
  /** Observations per frame: about 100 bytes each, far below the frame limit. */
  private static final int OBSERVATIONS_PER_FRAME = 20_000;

  private static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(60);

  private record Observed(int node, EntryId id, long nanos) {}

  private final PrintStream log;
  private final ConcurrentLinkedQueue<Observed> observed = new ConcurrentLinkedQueue<>();
  private final AtomicLong stored = new AtomicLong();
  private volatile Frames link;
  private ObjectNode assign;
  private volatile RealCluster cluster;
  private SimulationRun.Inputs in;
  private volatile boolean running;

  private Agent(PrintStream log) {
    this.log = log;
  }

  /**
   * Runs one agent to its end.
   *
   * @param advertise the address its nodes listen on; null: the one it reaches the coordinator from
   * @param wanted the agent number to ask for, or -1
   * @return the exit code: 0 told to stop, 1 failed
   */
  public static int run(String host, int port, String advertise, int wanted, PrintStream log) {
    return new Agent(log).run(host, port, advertise, wanted);
  }

  private int run(String host, int port, String advertise, int wanted) {
    ScheduledExecutorService beats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "agent-heartbeat");
              t.setDaemon(true);
              return t;
            });
    try {
      Socket socket = connect(host, port);
      String address = advertise != null ? advertise : socket.getLocalAddress().getHostAddress();
      link = new Frames(socket, "the coordinator at " + host + ":" + port);
      log.println(
          "agent: pid "
              + ProcessHandle.current().pid()
              + " connected to "
              + host
              + ":"
              + port
              + " as "
              + address);
      ObjectNode hello = Frames.frame("hello");
      hello.put("advertise", address);
      hello.put("want", wanted);
      hello.put("pid", ProcessHandle.current().pid());
      link.send(hello);
      socket.setSoTimeout(60_000);
      ObjectNode given = link.receive();
      if (!"assign".equals(given.path("type").asText())) {
        log.println("agent: not admitted: " + given.path("reason").asText(given.toString()));
        return 1;
      }
      assign = given;
      long heartbeat = assign.path("heartbeatMillis").asLong(5000);
      socket.setSoTimeout((int) (3 * heartbeat));
      log.println(
          "agent: I am agent "
              + assign.path("agent").asInt()
              + " of "
              + assign.path("agents").asInt());
      // Beats from now on, also while a long set-up step holds the main loop.
      var unused = beats.scheduleAtFixedRate(this::beat, 1, 1, TimeUnit.SECONDS);
      return loop(address);
    } catch (EOFException e) {
      log.println("agent: the coordinator closed the connection");
      return 1;
    } catch (SocketTimeoutException e) {
      log.println("agent: the coordinator went silent: " + e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      log.println("agent: failed: " + e);
      e.printStackTrace(log);
      report(e.toString());
      return 1;
    } finally {
      beats.shutdownNow();
      if (cluster != null) {
        cluster.close();
      }
      if (link != null) {
        link.close();
      }
      log.println("agent: done");
    }
  }

  private static Socket connect(String host, int port) throws IOException {
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    while (true) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(host, port), 5000);
        return s;
      } catch (IOException e) {
        s.close();
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "cannot reach the coordinator at "
                  + host
                  + ":"
                  + port
                  + " within "
                  + CONNECT_TIMEOUT
                  + ": "
                  + e.getMessage(),
              e);
        }
        RealEngine.sleepNanos(500_000_000L);
      }
    }
  }

  /** The coordinator's frames, one step at a time, until told to stop. */
  private int loop(String address) throws IOException {
    while (true) {
      ObjectNode frame = link.receive();
      long rx = System.nanoTime();
      switch (frame.path("type").asText()) {
        case "beat" -> {}
        case "ping" -> {
          ObjectNode pong = Frames.frame("pong");
          pong.put("t0", frame.path("t0").asLong());
          pong.put("t1", rx);
          pong.put("t2", System.nanoTime());
          link.send(pong);
        }
        case "start" -> {
          build(address);
          Map<Integer, Multiaddr> mine = cluster.startLocal(this::onStored);
          ObjectNode started = Frames.frame("started");
          ObjectNode addrs = started.putObject("addrs");
          mine.forEach((node, a) -> addrs.put(String.valueOf(node), a.toString()));
          link.send(started);
          log.println("agent: " + mine.size() + " nodes started");
        }
        case "book" -> {
          Map<Integer, Multiaddr> all = new java.util.HashMap<>();
          for (var e : frame.path("addrs").properties()) {
            try {
              all.put(Integer.parseInt(e.getKey()), Multiaddr.parse(e.getValue().asText()));
            } catch (org.grapevine.libp2p.multiaddr.MultiaddrFormatException bad) {
              throw new Frames.FrameException(
                  "the coordinator's address book holds a bad address: " + bad.getMessage());
            }
          }
          cluster.learn(all);
          cluster.dialTopology();
          link.send(Frames.frame("connected"));
          log.println("agent: topology dialled");
        }
        case "follow" -> {
          cluster.applyFollows();
          cluster.awaitLogsSynced();
          link.send(Frames.frame("followed"));
          log.println("agent: following");
        }
        case "go" -> {
          running = true;
          log.println("agent: go received, the clock started");
        }
        case "post" -> {
          int k = frame.path("k").asInt();
          LogEntry e =
              RealEngine.post(cluster.node(frame.path("node").asInt()), k, in.workload().bytes(k));
          ObjectNode posted = Frames.frame("posted");
          posted.put("k", k);
          posted.put("id", e.id().toHex());
          posted.put("envelope", e.toEnvelopeBytes().length);
          link.send(posted);
        }
        case "finish" -> {
          running = false;
          finish();
          log.println("agent: counters sent");
        }
        case "stop" -> {
          log.println(
              "agent: told to stop"
                  + (frame.has("reason") ? ": " + frame.path("reason").asText() : ""));
          return 0;
        }
        default ->
            throw new Frames.FrameException(
                "the coordinator sent an unknown frame type " + frame.path("type").asText());
      }
    }
  }

  /**
   * The scenario's inputs and this agent's share of the nodes, from the coordinator's assignment:
   * built on "start" (under the set-up barrier's limit), not before the clock pings, which must be
   * answered at once.
   */
  private void build(String address) throws IOException {
    Scenario s;
    try {
      s =
          ScenarioReader.parse(assign.path("scenario").asText(), "the coordinator")
              .withSeed(assign.path("seed").asLong());
    } catch (ScenarioException e) {
      throw new IOException("the coordinator's scenario does not parse here: " + e.getMessage(), e);
    }
    in = SimulationRun.Inputs.generate(s);
    cluster =
        new RealCluster(
            s,
            in.follows(),
            in.topology(),
            in.network(),
            new PostCatalog(s.seed(), in.follows().nodeCount(), in.workload()),
            in.engineRandom(),
            new RealCluster.Share(
                assign.path("agent").asInt(),
                assign.path("agents").asInt(),
                address,
                assign.path("crossDelayNanos").asLong(),
                assign.path("crossJitterNanos").asLong()));
  }

  /** On a node's storage thread: note each post stored (quick, no blocking). */
  private void onStored(int node, LogEntry e) {
    stored.incrementAndGet();
    if (e.header().kind() == ContentKind.POST) {
      observed.add(new Observed(node, e.id(), System.nanoTime()));
    }
  }

  /** Every second: what was stored since, and the mesh changes so far (once running). */
  private void beat() {
    try {
      synchronized (this) {
        flushObserved();
        ObjectNode beat = Frames.frame("beat");
        if (running && cluster != null) {
          beat.put("mesh", RealEngine.meshCount(cluster.nodes()));
        }
        link.send(beat);
      }
    } catch (IOException | RuntimeException e) {
      log.println("agent: the coordinator is unreachable: " + e);
      link.close(); // The main loop's read fails next, and the agent ends.
    }
  }

  private void flushObserved() throws IOException {
    while (!observed.isEmpty()) {
      ObjectNode obs = Frames.frame("obs");
      ArrayNode nodes = obs.putArray("node");
      ArrayNode ids = obs.putArray("id");
      ArrayNode times = obs.putArray("t");
      for (int i = 0; i < OBSERVATIONS_PER_FRAME; i++) {
        Observed o = observed.poll();
        if (o == null) {
          break;
        }
        nodes.add(o.node());
        ids.add(o.id().toHex());
        times.add(o.nanos());
      }
      link.send(obs);
    }
  }

  /** Everything observed, then the counters: the coordinator's barrier {@code final}. */
  private synchronized void finish() throws IOException {
    flushObserved();
    ObjectNode f = Frames.frame("final");
    ArrayNode wire = f.putArray("wire");
    RealMeasurements counters =
        new RealMeasurements(
            in.scenario(), in.follows(), in.topology(), in.network(), in.workload());
    RealEngine.addCounters(cluster.nodes(), counters);
    for (int i = 0; i < in.follows().nodeCount(); i++) {
      if (cluster.node(i) != null) {
        wire.addArray().add(i).add(cluster.bytesOut(i)).add(cluster.bytesIn(i));
      }
    }
    ObjectNode router = f.putObject("router");
    counters.routerTotals().forEach(router::put);
    ObjectNode ingestion = f.putObject("ingestion");
    Map<Engine.Counter, Long> byCounter = new EnumMap<>(Engine.Counter.class);
    byCounter.putAll(counters.ingestionTotals());
    byCounter.forEach((c, v) -> ingestion.put(c.name(), v));
    f.put("stored", stored.get());
    ArrayNode made = f.putArray("madeEdges");
    for (long pair : cluster.madeEdges()) {
      made.add(pair);
    }
    link.send(f);
  }

  /** Tells the coordinator why this agent fails, if it still can. */
  private void report(String message) {
    if (link == null) {
      return;
    }
    try {
      ObjectNode error = Frames.frame("error");
      error.put("message", message.length() > 4000 ? message.substring(0, 4000) : message);
      link.send(error);
    } catch (IOException e) {
      // The coordinator is gone too: it will see the connection end.
    }
  }
}
