package org.grapevine.simulations.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.grapevine.simulations.scenario.Scenario.Arrivals;
import org.grapevine.simulations.scenario.Scenario.AuthorChoice;
import org.grapevine.simulations.scenario.Scenario.BadMode;
import org.grapevine.simulations.scenario.Scenario.FollowModel;
import org.grapevine.simulations.scenario.Scenario.LatencyModel;
import org.grapevine.simulations.scenario.Scenario.TopologyModel;

/**
 * Reads a scenario file (YAML, or JSON, which is YAML too) into a checked {@link Scenario}. Every
 * key has a default (README.md of this module lists them); every problem is collected with its
 * path, the value found and what is allowed, and reported together in one {@link
 * ScenarioException}.
 */
public final class ScenarioReader {
  /**
   * Larger files are refused before parsing: explicit edge lists of a million nodes fit well below.
   */
  public static final long MAX_FILE_BYTES = 64L << 20;

  public static final int MAX_NODES = 1_000_000;
  private static final long MAX_DURATION_NANOS = 30L * 24 * 3600 * 1_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final int MAX_LIST = 10_000_000;

  /** Agents of the distributed engine: a StatefulSet of this many pods is already a large run. */
  public static final int MAX_HOSTS = 10_000;

  private ScenarioReader() {}

  public static Scenario read(Path file) throws ScenarioException, IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new ScenarioException(
          file.toString(),
          List.of(
              new ScenarioProblem(
                  "$", size + " bytes", "a file of at most " + MAX_FILE_BYTES + " bytes")));
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses scenario text; {@code source} names it in errors. */
  public static Scenario parse(String text, String source) throws ScenarioException {
    if (text.length() > MAX_FILE_BYTES) {
      throw new ScenarioException(
          source,
          List.of(
              new ScenarioProblem(
                  "$", text.length() + " characters", "at most " + MAX_FILE_BYTES)));
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? "$"
              : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ScenarioException(
          source,
          List.of(
              new ScenarioProblem(
                  where,
                  "text that is not YAML or JSON ("
                      + e.getOriginalMessage().lines().findFirst().orElse("")
                      + ")",
                  "a YAML or JSON document")));
    }
    List<ScenarioProblem> problems = new ArrayList<>();
    Scenario s = read(new Fields(root, "", problems), problems);
    if (!problems.isEmpty()) {
      throw new ScenarioException(source, problems);
    }
    return s;
  }

  private static Scenario read(Fields f, List<ScenarioProblem> problems) {
    String name = f.text("name", "unnamed");
    long seed = f.longValue("seed", 1);
    long duration = f.duration("duration", 120 * SECOND, 1 * MS, MAX_DURATION_NANOS);
    long warmUp = f.duration("warmUp", 10 * SECOND, 0, MAX_DURATION_NANOS);
    if (warmUp >= duration) {
      f.problemAt(
          "warmUp",
          Durations.format(warmUp),
          "less than duration (" + Durations.format(duration) + ")");
    }
    Scenario.Nodes nodes = nodes(f.object("nodes"));
    int n = nodes.count();
    if (nodes.startSpreadNanos() > 0 && nodes.startSpreadNanos() >= warmUp) {
      f.problemAt(
          "nodes.startSpread",
          Durations.format(nodes.startSpreadNanos()),
          "less than warmUp (" + Durations.format(warmUp) + "): every node runs before the posts");
    }
    Scenario.Dht dht = dht(f.object("dht"), n);
    Scenario.Connections connections = connections(f.object("connections"), n, dht.enabled());
    Scenario.Latency latency = latency(f.object("latency"));
    double loss = f.number("loss", 0, 0, 0.99);
    Scenario.Follows follows = follows(f.object("follows"), n);
    Scenario.Workload workload = workload(f.object("workload"), duration - warmUp);
    Scenario.Faults faults = faults(f.object("faults"), n, duration);
    Scenario.Protocol protocol = protocol(f.object("protocol"));
    Scenario.Hosts hosts = hosts(f.object("hosts"), n);
    f.finish();
    Scenario s =
        new Scenario(
            name,
            seed,
            duration,
            warmUp,
            nodes,
            connections,
            latency,
            loss,
            follows,
            workload,
            faults,
            protocol,
            dht,
            hosts);
    if (problems.isEmpty()) {
      try {
        RouterParams.config(protocol);
      } catch (IllegalArgumentException e) {
        f.problemAt(
            "protocol",
            "a combination of router parameters",
            "one the router accepts: " + e.getMessage());
      }
    }
    return s;
  }

  private static Scenario.Nodes nodes(Fields f) {
    int count = f.integer("count", 50, 2, MAX_NODES);
    long startSpread = f.duration("startSpread", 0, 0, MAX_DURATION_NANOS);
    List<Scenario.NodeClass> classes = new ArrayList<>();
    for (Fields c : f.objects("classes")) {
      classes.add(
          new Scenario.NodeClass(
              c.text("name", "class" + classes.size()),
              c.number("weight", 1, 0, 1e9),
              c.number("uploadMbps", 20, 0.001, 1e6),
              c.number("downloadMbps", 50, 0.001, 1e6),
              c.duration("validationDelay", 100_000, 0, 60 * SECOND)));
      c.finish();
    }
    if (classes.isEmpty()) {
      classes.add(new Scenario.NodeClass("default", 1, 20, 50, 100_000));
    } else if (classes.stream().mapToDouble(Scenario.NodeClass::weight).sum() <= 0) {
      f.problemAt(
          f.at("classes"), "weights summing to 0", "at least one class with a positive weight");
    }
    f.finish();
    return new Scenario.Nodes(count, List.copyOf(classes), startSpread);
  }

  private static Scenario.Hosts hosts(Fields f, int n) {
    int count = f.integer("count", 1, 1, Math.min(MAX_HOSTS, n));
    Fields nf = f.object("netem");
    long delay = nf.duration("delay", 0, 0, 10 * SECOND);
    long jitter = nf.duration("jitter", 0, 0, 10 * SECOND);
    if (jitter > delay) {
      nf.problemAt(
          nf.at("jitter"),
          Durations.format(jitter),
          "at most delay (" + Durations.format(delay) + "): netem's jitter is ± around it");
    }
    double loss = nf.number("loss", 0, 0, 0.99);
    double rate = nf.number("rateMbps", 0, 0, 100_000);
    nf.finish();
    double cpu = f.number("cpu", 2, 0.1, 256);
    int memory = f.integer("memoryMiB", 4096, 256, 1 << 20);
    f.finish();
    return new Scenario.Hosts(count, new Scenario.Netem(delay, jitter, loss, rate), cpu, memory);
  }

  private static Scenario.Dht dht(Fields f, int n) {
    boolean enabled = f.bool("enabled", true);
    int bootstrap = f.integer("bootstrapPeers", 3, 0, Math.min(64, n - 1));
    double clients = f.number("clientFraction", 0, 0, 1);
    int topicPeers = f.integer("topicPeers", 4, 0, 64);
    boolean announce = f.bool("announceFollows", true);
    if (enabled && bootstrap == 0 && f.has("bootstrapPeers")) {
      f.problemAt(
          f.at("bootstrapPeers"),
          "0",
          "at least 1 while the DHT is on (a node with no bootstrap peer may never join it)");
    }
    f.finish();
    return new Scenario.Dht(enabled, bootstrap, clients, topicPeers, announce);
  }

  private static Scenario.Connections connections(Fields f, int n, boolean dht) {
    TopologyModel model = f.choice("model", TopologyModel.RANDOM, TopologyModel.class);
    int degree = 8;
    double rewire = 0.1;
    List<int[]> edges = List.of();
    switch (model) {
      case RANDOM -> degree = f.integer("degree", 8, 1, n - 1);
      case RANDOM_REGULAR -> {
        degree = f.integer("degree", 8, 1, n - 1);
        if (((long) degree * n) % 2 != 0) {
          f.problemAt(
              f.at("degree"),
              String.valueOf(degree),
              "an even degree when the node count is odd (degree x count must be even)");
        }
      }
      case SMALL_WORLD -> {
        degree = f.integer("degree", 8, 2, n - 1);
        rewire = f.number("rewire", 0.1, 0, 1);
      }
      case EXPLICIT -> {
        edges = f.nodeLists("edges", n, 2, MAX_LIST);
        if (!f.has("edges")) {
          f.problemAt(
              f.at("edges"), "(missing)", "a list of [a, b] node pairs for the explicit model");
        }
        for (int[] e : edges) {
          if (e[0] == e[1]) {
            f.problemAt(
                f.at("edges"), "[" + e[0] + ", " + e[1] + "]", "edges between two different nodes");
          }
        }
      }
    }
    // The oracle is an assumption: on by default only when no DHT finds the topic peers.
    int topicPeers = f.integer("topicPeers", dht ? 0 : 2, 0, 1000);
    f.finish();
    return new Scenario.Connections(model, degree, rewire, List.copyOf(edges), topicPeers);
  }

  private static Scenario.Latency latency(Fields f) {
    LatencyModel model = f.choice("model", LatencyModel.CONSTANT, LatencyModel.class);
    long max = 60 * SECOND;
    long constant = 50 * MS;
    long min = 0;
    long hi = 0;
    long mean = 0;
    long std = 0;
    List<Scenario.Region> regions = new ArrayList<>();
    long[][] matrix = new long[0][];
    switch (model) {
      case CONSTANT -> constant = f.duration("oneWay", 50 * MS, 0, max);
      case UNIFORM -> {
        min = f.duration("min", 10 * MS, 0, max);
        hi = f.duration("max", 100 * MS, 0, max);
        if (hi < min) {
          f.problemAt(
              f.at("max"), Durations.format(hi), "at least min (" + Durations.format(min) + ")");
        }
      }
      case NORMAL -> {
        mean = f.duration("mean", 50 * MS, 0, max);
        std = f.duration("stdDev", 10 * MS, 0, max);
      }
      case REGIONS -> {
        for (Fields r : f.objects("regions")) {
          regions.add(
              new Scenario.Region(
                  r.text("name", "region" + regions.size()), r.number("weight", 1, 0, 1e9)));
          r.finish();
        }
        matrix = matrix(f, regions.size(), max);
        if (regions.isEmpty()) {
          f.problemAt(
              f.at("regions"),
              "(missing)",
              "a list of regions ({name, weight}) for the regions model");
        }
      }
    }
    long jitter = f.duration("jitter", 0, 0, max);
    f.finish();
    return new Scenario.Latency(
        model, constant, min, hi, mean, std, jitter, List.copyOf(regions), matrix);
  }

  private static long[][] matrix(Fields f, int regions, long max) {
    JsonNode m = f.raw("matrix");
    long[][] out = new long[regions][regions];
    if (m == null || !m.isArray() || m.size() != regions) {
      f.problem(
          "matrix",
          m,
          "a list of " + regions + " rows (one per region) of " + regions + " one-way latencies");
      return out;
    }
    for (int i = 0; i < regions; i++) {
      JsonNode row = m.get(i);
      if (!row.isArray() || row.size() != regions) {
        f.problemAt(
            f.at("matrix") + "[" + i + "]",
            Fields.show(row),
            "a row of " + regions + " one-way latencies");
        continue;
      }
      for (int j = 0; j < regions; j++) {
        JsonNode v = row.get(j);
        long nanos =
            v.isNumber()
                ? Math.round(v.asDouble() * 1e9)
                : v.isTextual() ? Durations.parseNanos(v.asText()) : -1;
        if (nanos < 0 || nanos > max) {
          f.problemAt(
              f.at("matrix") + "[" + i + "][" + j + "]",
              Fields.show(v),
              "a duration from 0s to " + Durations.format(max));
        }
        out[i][j] = Math.max(0, nanos);
      }
    }
    return out;
  }

  private static Scenario.Follows follows(Fields f, int n) {
    FollowModel model = f.choice("model", FollowModel.ZIPF, FollowModel.class);
    int perNode = 10;
    double exponent = 1.0;
    List<int[]> edges = List.of();
    switch (model) {
      case ZIPF -> {
        perNode = f.integer("perNode", 10, 1, n - 1);
        exponent = f.number("exponent", 1.0, 0, 10);
      }
      case UNIFORM -> perNode = f.integer("perNode", 10, 1, n - 1);
      case EXPLICIT -> {
        edges = f.nodeLists("edges", n, 2, MAX_LIST);
        for (int[] e : edges) {
          if (e[0] == e[1]) {
            f.problemAt(
                f.at("edges"),
                "[" + e[0] + ", " + e[1] + "]",
                "a follower and a different followee");
          }
        }
      }
    }
    f.finish();
    return new Scenario.Follows(model, perNode, exponent, List.copyOf(edges));
  }

  private static Scenario.Workload workload(Fields f, long postingNanos) {
    double rate = f.number("postsPerSecond", 1, 1e-6, 1e6);
    int defPosts =
        (int) Math.max(1, Math.min(1_000_000, Math.floor(rate * postingNanos / 1e9 * 0.8)));
    int posts = f.integer("posts", defPosts, 0, 10_000_000);
    AuthorChoice authors = f.choice("authors", AuthorChoice.BY_FOLLOWERS, AuthorChoice.class);
    int bytes =
        f.integer("messageBytes", 200, 1, org.grapevine.protocol.Limits.MAX_POST_TEXT_BYTES);
    int bytesMax =
        f.integer("messageBytesMax", bytes, 1, org.grapevine.protocol.Limits.MAX_POST_TEXT_BYTES);
    if (bytesMax < bytes) {
      f.problemAt(
          f.at("messageBytesMax"),
          String.valueOf(bytesMax),
          "at least messageBytes (" + bytes + ")");
    }
    Arrivals arrivals = f.choice("arrivals", Arrivals.POISSON, Arrivals.class);
    Scenario.Replies replies = Scenario.Replies.NONE;
    if (f.has("replies")) {
      Fields r = f.object("replies");
      int count = r.integer("count", 100, 0, 1_000_000);
      double perSecond = r.number("perSecond", 1, 1e-6, 1e6);
      Scenario.ReplyFrom from =
          r.choice("from", Scenario.ReplyFrom.NON_FOLLOWERS, Scenario.ReplyFrom.class);
      r.finish();
      replies = new Scenario.Replies(count, perSecond, from);
    }
    Scenario.Flood flood = Scenario.Flood.NONE;
    if (f.has("flood")) {
      Fields fl = f.object("flood");
      int writers = fl.integer("writers", 1, 0, 10_000);
      int entries = fl.integer("entries", 100, 1, 1_000_000);
      double perSecond = fl.number("perSecond", 10, 1e-6, 1e6);
      long at = fl.duration("at", postingNanos / 2, 0, Long.MAX_VALUE);
      fl.finish();
      flood = new Scenario.Flood(writers, entries, perSecond, at);
    }
    double windowSeconds = postingNanos / 1e9;
    if (posts / rate > windowSeconds) {
      f.problemAt(
          f.at("posts"),
          String.valueOf(posts),
          "at most postsPerSecond x (duration - warmUp) = "
              + (long) Math.floor(rate * windowSeconds)
              + " posts, so that the workload fits the run");
    }
    f.finish();
    return new Scenario.Workload(posts, rate, authors, bytes, bytesMax, arrivals, replies, flood);
  }

  private static Scenario.Faults faults(Fields f, int n, long duration) {
    Fields c = f.object("churn");
    double rate = c.number("leavesPerHour", 0, 0, 3600);
    long downtime = c.duration("meanDowntime", 30 * SECOND, 1 * MS, MAX_DURATION_NANOS);
    List<Scenario.Outage> schedule = new ArrayList<>();
    for (Fields o : c.objects("schedule")) {
      int node = o.integer("node", 0, 0, n - 1);
      long leave = o.duration("leave", 0, 0, duration);
      long back = o.duration("return", duration, 0, MAX_DURATION_NANOS);
      if (!o.has("node") || !o.has("leave")) {
        o.problemAt(o.at("node"), "(missing)", "node and leave (return is optional: never)");
      }
      if (back <= leave) {
        o.problemAt(
            o.at("return"),
            Durations.format(back),
            "later than leave (" + Durations.format(leave) + ")");
      }
      schedule.add(new Scenario.Outage(node, leave, back));
      o.finish();
    }
    c.finish();
    List<Scenario.Partition> partitions = new ArrayList<>();
    for (Fields p : f.objects("partitions")) {
      long at = p.duration("at", 0, 0, duration);
      long heal = p.duration("heal", duration, 0, MAX_DURATION_NANOS);
      if (!p.has("at")) {
        p.problemAt(p.at("at"), "(missing)", "the time the network splits");
      }
      if (heal <= at) {
        p.problemAt(
            p.at("heal"), Durations.format(heal), "later than at (" + Durations.format(at) + ")");
      }
      JsonNode g = p.raw("groups");
      int count = 2;
      List<int[]> groups = List.of();
      if (g != null && g.isArray()) {
        groups = p.nodeLists("groups", n, 0, 1000);
      } else if (g != null) {
        count = p.integer("groups", 2, 2, n);
      }
      partitions.add(
          new Scenario.Partition(
              at, heal, groups.isEmpty() ? count : groups.size() + 1, List.copyOf(groups)));
      p.finish();
    }
    Fields b = f.object("badForwarders");
    int count = b.integer("count", 0, 0, n);
    List<Integer> nodes = b.nodeList("nodes", n);
    if (b.has("nodes") && b.has("count")) {
      b.problemAt(
          b.at("count"),
          String.valueOf(count),
          "either count (random nodes) or nodes (a list), not both");
    }
    BadMode mode = b.choice("mode", BadMode.DROP, BadMode.class);
    long delay = mode == BadMode.DELAY ? b.duration("delay", 500 * MS, 0, MAX_DURATION_NANOS) : 0;
    b.finish();
    f.finish();
    return new Scenario.Faults(
        new Scenario.Churn(rate, downtime, List.copyOf(schedule)),
        List.copyOf(partitions),
        new Scenario.BadForwarders(
            nodes.isEmpty() ? count : nodes.size(), List.copyOf(nodes), mode, delay));
  }

  private static Scenario.Protocol protocol(Fields f) {
    long sync = f.duration("syncInterval", 10 * SECOND, 10 * MS, MAX_DURATION_NANOS);
    int peers = f.integer("syncPeersPerRound", 1, 0, 1000);
    Fields g = f.object("gossip");
    Map<String, Object> gossip = RouterParams.read(g, RouterParams.gossip());
    g.finish();
    Fields s = f.object("score");
    Map<String, Object> score = RouterParams.read(s, RouterParams.score());
    s.finish();
    Fields t = f.object("thresholds");
    Map<String, Object> thresholds = RouterParams.read(t, RouterParams.thresholds());
    t.finish();
    f.finish();
    return new Scenario.Protocol(sync, peers, gossip, score, thresholds);
  }
}
