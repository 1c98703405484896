package org.grapevine.simulations.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.grapevine.node.engine.Engine;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.simulations.SimulationEngine;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.real.RealMeasurements;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioWriter;

/**
 * Runs one scenario across {@code hosts.count} agents that connect to its server socket: admits
 * them, measures their clock offsets ({@link ClockSync}), hands out the scenario, runs the set-up
 * barriers (started, connected, followed; {@link CoordinatorState}), starts the clock, tells each
 * post's author's agent to post it at its time, and gathers what the agents saw into a {@link
 * RunData}.
 *
 * <p>An agent whose connection ends, that stays silent past the heartbeat limit, or that reports an
 * error fails the run: the others are told to finish (what they measured is kept) and stop. Before
 * the clock started that is an {@link IOException}; after, the run returns what arrived and {@link
 * #complete()} says false.
 */
final class Coordinator implements AutoCloseable {
  private static final int PINGS = 8;
  private static final long SECOND = 1_000_000_000L;

  /**
   * @param join how long to wait for every agent to connect
   * @param setup how long each set-up barrier may take
   * @param heartbeat how long an agent may stay silent before it counts as failed
   * @param crossDelayNanos delay the agents add in user space to connections between agents (0: the
   *     network applies it)
   * @param delayAppliedBy how the hosts' delay is applied, for the results
   */
  record Options(
      Duration join,
      Duration setup,
      Duration heartbeat,
      long crossDelayNanos,
      long crossJitterNanos,
      String delayAppliedBy,
      String engine) {}

  private final SimulationRun.Inputs in;
  private final Scenario scenario;
  private final ServerSocket server;
  private final Options options;
  private final PrintStream log;
  private final int agents;
  private final CoordinatorState state;
  private final Frames[] links;
  private final ClockSync[] clocks;
  private final int[] pids;
  private final List<BlockingQueue<long[]>> pongs = new java.util.ArrayList<>();
  private final Map<Integer, String> book = new java.util.concurrent.ConcurrentHashMap<>();
  private final RealMeasurements measured;
  private final AtomicLongArray mesh;
  private final long[] handedNanos;
  private final AtomicLong observedCount = new AtomicLong();
  private final ScheduledExecutorService beats;
  private volatile long clockZero;
  private volatile boolean stopping;

  Coordinator(SimulationRun.Inputs in, ServerSocket server, Options options, PrintStream log) {
    this.in = in;
    this.scenario = in.scenario();
    this.server = server;
    this.options = options;
    this.log = log;
    this.agents = scenario.hosts().count();
    this.state = new CoordinatorState(agents);
    this.links = new Frames[agents];
    this.clocks = new ClockSync[agents];
    this.pids = new int[agents];
    for (int i = 0; i < agents; i++) {
      clocks[i] = new ClockSync();
      pongs.add(new LinkedBlockingQueue<>());
    }
    this.measured =
        new RealMeasurements(scenario, in.follows(), in.topology(), in.network(), in.workload());
    this.mesh = new AtomicLongArray(agents);
    this.handedNanos = new long[in.workload().posts()];
    this.beats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "coordinator-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** Whether every agent ran to the end. */
  boolean complete() {
    return state.failures().isEmpty();
  }

  List<CoordinatorState.Failure> failures() {
    return state.failures();
  }

  /** What failed, for the person running it: one line per failed agent. */
  String failureText() {
    StringBuilder b = new StringBuilder();
    for (CoordinatorState.Failure f : state.failures()) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(describe(f));
    }
    return b.toString();
  }

  private String describe(CoordinatorState.Failure f) {
    String when =
        clockZero != 0 && f.atNanos() >= clockZero
            ? String.format(Locale.ROOT, "%.1f s into the run", (f.atNanos() - clockZero) / 1e9)
            : "during " + f.phase();
    return "agent "
        + f.agent()
        + " ("
        + f.address()
        + (pids[f.agent()] > 0 ? ", pid " + pids[f.agent()] : "")
        + ") failed "
        + when
        + ": "
        + f.what();
  }

  /** Runs the scenario on the agents; see the class comment. */
  RunData run(SimulationEngine.Progress progress, Runnable clockStarted) throws IOException {
    admit();
    var unused = beats.scheduleAtFixedRate(this::heartbeat, 1, 1, TimeUnit.SECONDS);
    syncClocks();
    setupBarrier("start", CoordinatorState.Barrier.STARTED, Frames.frame("start"));
    ObjectNode bookFrame = Frames.frame("book");
    ObjectNode addrs = bookFrame.putObject("addrs");
    new java.util.TreeMap<>(book).forEach((node, a) -> addrs.put(String.valueOf(node), a));
    setupBarrier("connect", CoordinatorState.Barrier.CONNECTED, bookFrame);
    setupBarrier("follow", CoordinatorState.Barrier.FOLLOWED, Frames.frame("follow"));
    state.phase("the run");
    clockZero = System.nanoTime();
    clockStarted.run();
    log.println("coordinator: clock started with " + agents + " agents");
    sendAll(Frames.frame("go"));
    drive(progress);
    finish();
    return measured.toRunData(options.engine());
  }

  // ------------------------------------------------------------------ set-up

  private void admit() throws IOException {
    long deadline = System.nanoTime() + options.join().toNanos();
    server.setSoTimeout(1000);
    while (state.joined() < agents) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "only "
                + state.joined()
                + " of "
                + agents
                + " agents connected to "
                + server.getLocalSocketAddress()
                + " within "
                + options.join().toSeconds()
                + " s (missing agent numbers "
                + state.missing()
                + "); start them with: grapevine-sim agent --coordinator HOST:"
                + server.getLocalPort());
      }
      Socket s;
      try {
        s = server.accept();
      } catch (SocketTimeoutException e) {
        continue;
      }
      String from = s.getRemoteSocketAddress().toString().replaceFirst("^/", "");
      Frames f = new Frames(s, "an agent at " + from);
      ObjectNode hello;
      try {
        s.setSoTimeout((int) options.heartbeat().toMillis());
        hello = f.receive();
      } catch (IOException e) {
        log.println("coordinator: ignoring a connection from " + from + ": " + e.getMessage());
        f.close();
        continue;
      }
      if (!"hello".equals(hello.path("type").asText())) {
        log.println("coordinator: ignoring " + from + ": it did not say hello");
        f.close();
        continue;
      }
      String advertise = hello.path("advertise").asText(from);
      int agent = state.join(hello.path("want").asInt(-1), advertise, System.nanoTime());
      if (agent < 0) {
        ObjectNode no = Frames.frame("stop");
        no.put("reason", "all " + agents + " agents have joined already");
        f.send(no);
        f.close();
        continue;
      }
      pids[agent] = hello.path("pid").asInt(0);
      f.peer("agent " + agent + " (" + advertise + ")");
      links[agent] = f;
      ObjectNode assign = Frames.frame("assign");
      assign.put("agent", agent);
      assign.put("agents", agents);
      assign.put("seed", scenario.seed());
      assign.put("scenario", ScenarioWriter.toYaml(scenario));
      assign.put("crossDelayNanos", options.crossDelayNanos());
      assign.put("crossJitterNanos", options.crossJitterNanos());
      assign.put("heartbeatMillis", options.heartbeat().toMillis());
      f.send(assign);
      int number = agent;
      Thread reader = new Thread(() -> read(number), "coordinator-agent-" + agent);
      reader.setDaemon(true);
      reader.start();
      log.println("coordinator: agent " + agent + " joined from " + advertise);
    }
  }

  /** Several ping exchanges per agent, one at a time; the best one gives the offset. */
  private void syncClocks() throws IOException {
    state.phase("the clock synchronization");
    for (int a = 0; a < agents; a++) {
      for (int i = 0; i < PINGS; i++) {
        ObjectNode ping = Frames.frame("ping");
        long t0 = System.nanoTime();
        ping.put("t0", t0);
        send(a, ping);
        long[] pong;
        try {
          pong = pongs.get(a).poll(options.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        if (pong == null) {
          state.fail(a, "no answer to a clock ping", System.nanoTime());
        } else {
          clocks[a].sample(pong[0], pong[1], pong[2], pong[3]);
        }
        checkSetup();
      }
    }
  }

  private void setupBarrier(String phase, CoordinatorState.Barrier barrier, ObjectNode frame)
      throws IOException {
    state.phase("the set-up (" + phase + ")");
    sendAll(frame);
    long deadline = System.nanoTime() + options.setup().toNanos();
    while (!state.allPassed(barrier)) {
      checkSetup();
      if (System.nanoTime() > deadline) {
        for (int a : state.waitingFor(barrier)) {
          state.fail(
              a,
              "did not report "
                  + barrier.name().toLowerCase(Locale.ROOT)
                  + " within "
                  + options.setup(),
              System.nanoTime());
        }
        checkSetup();
      }
      awaitChange();
    }
    checkSetup();
  }

  /** A failure before the clock started: the others stop, and the run is an error. */
  private void checkSetup() throws IOException {
    if (!state.failures().isEmpty()) {
      stopAll();
      throw new IOException(
          "the distributed run failed before its clock started: " + failureText());
    }
  }

  private void awaitChange() throws IOException {
    try {
      state.awaitChange(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  // ------------------------------------------------------------------ the run

  private void drive(SimulationEngine.Progress progress) throws IOException {
    long duration = scenario.durationNanos();
    var workload = in.workload();
    long lastMesh = meshTotal();
    int second = 0;
    int k = 0;
    while (state.failures().isEmpty()) {
      long now = System.nanoTime() - clockZero;
      if (now >= duration) {
        break;
      }
      if (now / SECOND > second) {
        long total = meshTotal();
        measured.meshChanges(second, total - lastMesh);
        lastMesh = total;
        second = (int) (now / SECOND);
        progress.update(now, duration, observedCount.get());
      }
      if (k < workload.posts() && workload.timeNanos(k) <= now) {
        int author = workload.author(k);
        handedNanos[k] = now; // Replaced by the author's store time when it is reported.
        ObjectNode post = Frames.frame("post");
        post.put("k", k);
        post.put("node", author);
        send(author % agents, post);
        k++;
        continue;
      }
      long next = Math.min(duration, (second + 1) * SECOND);
      if (k < workload.posts()) {
        next = Math.min(next, workload.timeNanos(k));
      }
      long wait = next - (System.nanoTime() - clockZero);
      if (wait > 0) {
        try {
          state.awaitChange(Math.max(1, Math.min(wait / 1_000_000, 200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
    progress.update(
        Math.min(duration, System.nanoTime() - clockZero), duration, observedCount.get());
  }

  private long meshTotal() {
    long sum = 0;
    for (int a = 0; a < agents; a++) {
      sum += mesh.get(a);
    }
    return sum;
  }

  /** The live agents send what they counted; then every agent is told to stop. */
  private void finish() {
    state.phase("the finish");
    for (int a = 0; a < agents; a++) {
      if (state.alive(a)) {
        try {
          send(a, Frames.frame("finish"));
        } catch (IOException e) {
          state.fail(a, "could not be told to finish: " + e.getMessage(), System.nanoTime());
        }
      }
    }
    long deadline = System.nanoTime() + options.setup().toNanos();
    while (!state.allPassed(CoordinatorState.Barrier.FINAL) && System.nanoTime() < deadline) {
      try {
        state.awaitChange(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (int a : state.waitingFor(CoordinatorState.Barrier.FINAL)) {
      state.fail(a, "did not send its counters within " + options.setup(), System.nanoTime());
    }
    stopAll();
  }

  // ------------------------------------------------------------------ the wire

  private void send(int agent, ObjectNode frame) throws IOException {
    try {
      links[agent].send(frame);
    } catch (IOException e) {
      state.fail(
          agent, "sending " + frame.path("type").asText() + " failed: " + e, System.nanoTime());
    }
  }

  private void sendAll(ObjectNode frame) throws IOException {
    for (int a = 0; a < agents; a++) {
      if (state.alive(a)) {
        send(a, frame);
      }
    }
  }

  /** Tells every agent still connected to stop, and closes the connections. */
  private void stopAll() {
    stopping = true;
    beats.shutdownNow();
    ObjectNode stop = Frames.frame("stop");
    for (int a = 0; a < agents; a++) {
      if (links[a] != null) {
        try {
          links[a].send(stop);
        } catch (IOException e) {
          // Gone already: it was failed for that, or is failing now.
        }
      }
    }
  }

  private void heartbeat() {
    long now = System.nanoTime();
    for (int a : state.silent(now, options.heartbeat().toNanos())) {
      state.fail(
          a, "silent for more than " + options.heartbeat().toMillis() + " ms (no heartbeat)", now);
    }
    ObjectNode beat = Frames.frame("beat");
    for (int a = 0; a < agents; a++) {
      if (links[a] != null && state.alive(a)) {
        try {
          links[a].send(beat);
        } catch (IOException e) {
          state.fail(a, "sending a heartbeat failed: " + e.getMessage(), now);
        }
      }
    }
  }

  /** One agent's frames, on its own thread, until its connection ends. */
  private void read(int agent) {
    Frames f = links[agent];
    try {
      while (true) {
        ObjectNode frame = f.receive();
        long rx = System.nanoTime();
        state.heard(agent, rx);
        handle(agent, frame, rx);
      }
    } catch (EOFException e) {
      if (!stopping) {
        state.fail(
            agent,
            "its connection closed (EOF: the process ended or was killed)",
            System.nanoTime());
      }
    } catch (SocketTimeoutException e) {
      if (!stopping) {
        state.fail(
            agent,
            "silent for more than " + options.heartbeat().toMillis() + " ms (no heartbeat)",
            System.nanoTime());
      }
    } catch (IOException | RuntimeException e) {
      if (!stopping) {
        state.fail(agent, "its connection failed: " + e.getMessage(), System.nanoTime());
      }
    } finally {
      f.close();
    }
  }

  private void handle(int agent, ObjectNode frame, long rx) throws IOException {
    switch (frame.path("type").asText()) {
      case "beat" -> mesh.set(agent, frame.path("mesh").asLong());
      case "pong" ->
          pongs
              .get(agent)
              .add(
                  new long[] {
                    frame.path("t0").asLong(),
                    frame.path("t1").asLong(),
                    frame.path("t2").asLong(),
                    rx
                  });
      case "started" -> {
        frame
            .path("addrs")
            .properties()
            .forEach(
                e -> {
                  int node = Integer.parseInt(e.getKey());
                  if (node % agents != agent) {
                    throw new IllegalArgumentException(
                        "agent " + agent + " reported node " + node + ", not of its share");
                  }
                  book.put(node, e.getValue().asText());
                });
        state.passed(agent, CoordinatorState.Barrier.STARTED);
      }
      case "connected" -> state.passed(agent, CoordinatorState.Barrier.CONNECTED);
      case "followed" -> state.passed(agent, CoordinatorState.Barrier.FOLLOWED);
      case "posted" -> {
        int k = frame.path("k").asInt();
        measured.posted(
            k,
            EntryId.parse(frame.path("id").asText()),
            frame.path("envelope").asInt(),
            handedNanos[k]);
      }
      case "obs" -> observed(agent, frame);
      case "final" -> {
        counters(frame);
        state.passed(agent, CoordinatorState.Barrier.FINAL);
      }
      case "error" -> state.fail(agent, "it reported: " + frame.path("message").asText(), rx);
      default ->
          throw new Frames.FrameException(
              "agent " + agent + " sent an unknown frame type " + frame.path("type").asText());
    }
  }

  /** Posts stored at the agent's nodes, on its clock: converted to the run's. */
  private void observed(int agent, ObjectNode frame) {
    JsonNode nodes = frame.path("node");
    JsonNode ids = frame.path("id");
    JsonNode times = frame.path("t");
    for (int i = 0; i < nodes.size(); i++) {
      long t = clocks[agent].toCoordinator(times.get(i).asLong()) - clockZero;
      measured.stored(nodes.get(i).asInt(), EntryId.parse(ids.get(i).asText()), t);
      observedCount.incrementAndGet();
    }
  }

  private void counters(ObjectNode frame) {
    synchronized (measured) {
      for (JsonNode w : frame.path("wire")) {
        measured.wire(w.get(0).asInt(), w.get(1).asLong(), w.get(2).asLong());
      }
      Map<String, Long> router = new LinkedHashMap<>();
      frame.path("router").properties().forEach(e -> router.put(e.getKey(), e.getValue().asLong()));
      measured.router(router);
      Map<Engine.Counter, Long> ingestion = new EnumMap<>(Engine.Counter.class);
      frame
          .path("ingestion")
          .properties()
          .forEach(e -> ingestion.put(Engine.Counter.valueOf(e.getKey()), e.getValue().asLong()));
      measured.ingestion(ingestion);
      measured.storedEntries(frame.path("stored").asLong());
      JsonNode made = frame.path("madeEdges");
      long[] pairs = new long[made.size()];
      for (int i = 0; i < pairs.length; i++) {
        pairs[i] = made.get(i).asLong();
      }
      measured.madeEdges(pairs);
    }
  }

  /** The {@code hosts} object of results.json. */
  ObjectNode hostsJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    Scenario.Hosts h = scenario.hosts();
    o.put("agents", agents);
    o.put("complete", complete());
    ObjectNode netem = o.putObject("netem");
    netem.put("delayMs", h.netem().delayNanos() / 1e6);
    netem.put("jitterMs", h.netem().jitterNanos() / 1e6);
    netem.put("loss", h.netem().loss());
    netem.put("rateMbps", h.netem().rateMbps());
    o.put("delayAppliedBy", options.delayAppliedBy());
    ArrayNode list = o.putArray("agentList");
    int n = in.follows().nodeCount();
    for (int a = 0; a < agents; a++) {
      ObjectNode e = list.addObject();
      e.put("agent", a);
      e.put("address", state.address(a));
      e.put("nodes", (n - a + agents - 1) / agents);
      if (clocks[a].known()) {
        e.put("clockOffsetMs", clocks[a].offsetNanos() / 1e6);
        e.put("clockUncertaintyMs", clocks[a].uncertaintyNanos() / 1e6);
      }
      e.put("failed", !state.alive(a));
    }
    ArrayNode failed = o.putArray("failedAgents");
    for (CoordinatorState.Failure f : state.failures()) {
      ObjectNode e = failed.addObject();
      e.put("agent", f.agent());
      e.put("address", f.address());
      e.put(
          "atSeconds",
          clockZero != 0 ? Math.round((f.atNanos() - clockZero) / 1e6) / 1e3 : Double.NaN);
      e.put("phase", f.phase());
      e.put("what", f.what());
    }
    return o;
  }

  @Override
  public void close() {
    stopAll();
    for (Frames f : links) {
      if (f != null) {
        f.close();
      }
    }
  }
}
