package org.grapevine.simulations.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Scenario} back as YAML with every default filled in: the "scenario as run" of a
 * result folder. Reading it again gives the same scenario, so a run can be repeated from its
 * results alone. Key order is fixed.
 */
public final class ScenarioWriter {
  private static final JsonNodeFactory J = JsonNodeFactory.instance;

  private ScenarioWriter() {}

  public static String toYaml(Scenario s) {
    try {
      ObjectMapper yaml =
          new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
      return "# The scenario as run: every key with its value, defaults included.\n"
          + yaml.writeValueAsString(tree(s));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always serialises", e);
    }
  }

  public static ObjectNode tree(Scenario s) {
    ObjectNode root = J.objectNode();
    root.put("name", s.name());
    root.put("seed", s.seed());
    root.put("duration", Durations.format(s.durationNanos()));
    root.put("warmUp", Durations.format(s.warmUpNanos()));
    ObjectNode nodes = root.putObject("nodes");
    nodes.put("count", s.nodes().count());
    if (s.nodes().startSpreadNanos() > 0) { // written only when set: older files stay as they were
      nodes.put("startSpread", Durations.format(s.nodes().startSpreadNanos()));
    }
    ArrayNode classes = nodes.putArray("classes");
    for (Scenario.NodeClass c : s.nodes().classes()) {
      ObjectNode o = classes.addObject();
      o.put("name", c.name());
      o.put("weight", c.weight());
      o.put("uploadMbps", c.uploadMbps());
      o.put("downloadMbps", c.downloadMbps());
      o.put("validationDelay", Durations.format(c.validationDelayNanos()));
    }
    connections(root.putObject("connections"), s.connections());
    latency(root.putObject("latency"), s.latency());
    root.put("loss", s.loss());
    ObjectNode follows = root.putObject("follows");
    follows.put("model", Fields.name(s.follows().model()));
    switch (s.follows().model()) {
      case ZIPF -> {
        follows.put("perNode", s.follows().perNode());
        follows.put("exponent", s.follows().exponent());
      }
      case UNIFORM -> follows.put("perNode", s.follows().perNode());
      case EXPLICIT -> follows.set("edges", pairs(s.follows().edges()));
    }
    ObjectNode w = root.putObject("workload");
    w.put("posts", s.workload().posts());
    w.put("postsPerSecond", s.workload().postsPerSecond());
    w.put("authors", Fields.name(s.workload().authors()));
    w.put("messageBytes", s.workload().messageBytes());
    w.put("messageBytesMax", s.workload().messageBytesMax());
    w.put("arrivals", Fields.name(s.workload().arrivals()));
    Scenario.Replies replies = s.workload().replies();
    if (replies.count() > 0) { // Written only when set, so older scenarios keep their form.
      ObjectNode r = w.putObject("replies");
      r.put("count", replies.count());
      r.put("perSecond", replies.perSecond());
      r.put("from", Fields.name(replies.from()));
    }
    Scenario.Flood flood = s.workload().flood();
    if (flood.writers() > 0) {
      ObjectNode f = w.putObject("flood");
      f.put("writers", flood.writers());
      f.put("entries", flood.entries());
      f.put("perSecond", flood.perSecond());
      f.put("at", Durations.format(flood.atNanos()));
    }
    faults(root.putObject("faults"), s.faults());
    protocol(root.putObject("protocol"), s.protocol());
    ObjectNode dht = root.putObject("dht");
    dht.put("enabled", s.dht().enabled());
    dht.put("bootstrapPeers", s.dht().bootstrapPeers());
    dht.put("clientFraction", s.dht().clientFraction());
    dht.put("topicPeers", s.dht().topicPeers());
    dht.put("announceFollows", s.dht().announceFollows());
    ObjectNode hosts = root.putObject("hosts");
    hosts.put("count", s.hosts().count());
    ObjectNode netem = hosts.putObject("netem");
    netem.put("delay", Durations.format(s.hosts().netem().delayNanos()));
    netem.put("jitter", Durations.format(s.hosts().netem().jitterNanos()));
    netem.put("loss", s.hosts().netem().loss());
    netem.put("rateMbps", s.hosts().netem().rateMbps());
    hosts.put("cpu", s.hosts().cpu());
    hosts.put("memoryMiB", s.hosts().memoryMiB());
    return root;
  }

  private static void connections(ObjectNode c, Scenario.Connections s) {
    c.put("model", Fields.name(s.model()));
    switch (s.model()) {
      case RANDOM, RANDOM_REGULAR -> c.put("degree", s.degree());
      case SMALL_WORLD -> {
        c.put("degree", s.degree());
        c.put("rewire", s.rewire());
      }
      case EXPLICIT -> c.set("edges", pairs(s.edges()));
    }
    c.put("topicPeers", s.topicPeers());
  }

  private static void latency(ObjectNode l, Scenario.Latency s) {
    l.put("model", Fields.name(s.model()));
    switch (s.model()) {
      case CONSTANT -> l.put("oneWay", Durations.format(s.constantNanos()));
      case UNIFORM -> {
        l.put("min", Durations.format(s.minNanos()));
        l.put("max", Durations.format(s.maxNanos()));
      }
      case NORMAL -> {
        l.put("mean", Durations.format(s.meanNanos()));
        l.put("stdDev", Durations.format(s.stdDevNanos()));
      }
      case REGIONS -> {
        ArrayNode regions = l.putArray("regions");
        for (Scenario.Region r : s.regions()) {
          regions.addObject().put("name", r.name()).put("weight", r.weight());
        }
        ArrayNode matrix = l.putArray("matrix");
        for (long[] row : s.matrixNanos()) {
          ArrayNode a = matrix.addArray();
          for (long v : row) {
            a.add(Durations.format(v));
          }
        }
      }
    }
    l.put("jitter", Durations.format(s.jitterNanos()));
  }

  private static void faults(ObjectNode f, Scenario.Faults s) {
    ObjectNode churn = f.putObject("churn");
    churn.put("leavesPerHour", s.churn().leavesPerHour());
    churn.put("meanDowntime", Durations.format(s.churn().meanDowntimeNanos()));
    ArrayNode schedule = churn.putArray("schedule");
    for (Scenario.Outage o : s.churn().schedule()) {
      schedule
          .addObject()
          .put("node", o.node())
          .put("leave", Durations.format(o.leaveNanos()))
          .put("return", Durations.format(o.returnNanos()));
    }
    ArrayNode partitions = f.putArray("partitions");
    for (Scenario.Partition p : s.partitions()) {
      ObjectNode o = partitions.addObject();
      o.put("at", Durations.format(p.atNanos()));
      o.put("heal", Durations.format(p.healNanos()));
      if (p.groups().isEmpty()) {
        o.put("groups", p.groupCount());
      } else {
        o.set("groups", pairs(p.groups()));
      }
    }
    ObjectNode bad = f.putObject("badForwarders");
    if (s.badForwarders().nodes().isEmpty()) {
      bad.put("count", s.badForwarders().count());
    } else {
      ArrayNode nodes = bad.putArray("nodes");
      s.badForwarders().nodes().forEach(nodes::add);
    }
    bad.put("mode", Fields.name(s.badForwarders().mode()));
    if (s.badForwarders().mode() == Scenario.BadMode.DELAY) {
      bad.put("delay", Durations.format(s.badForwarders().delayNanos()));
    }
  }

  private static void protocol(ObjectNode p, Scenario.Protocol s) {
    p.put("syncInterval", Durations.format(s.syncIntervalNanos()));
    p.put("syncPeersPerRound", s.syncPeersPerRound());
    params(p.putObject("gossip"), RouterParams.gossip(), s.gossip());
    params(p.putObject("score"), RouterParams.score(), s.score());
    params(p.putObject("thresholds"), RouterParams.thresholds(), s.thresholds());
  }

  /**
   * Every parameter, the file's value or the default, so the file shows what the router ran with.
   */
  private static void params(
      ObjectNode o, List<RouterParams.Param> params, Map<String, Object> set) {
    for (RouterParams.Param p : params) {
      Object v = set.getOrDefault(p.component(), p.defaultValue());
      if (p.isDuration()) {
        o.put(p.key(), Durations.format((Long) v));
      } else if (v instanceof Integer i) {
        o.put(p.key(), i);
      } else if (v instanceof Long l) {
        o.put(p.key(), l);
      } else if (v instanceof Double d) {
        o.put(p.key(), d);
      } else {
        o.put(p.key(), (Boolean) v);
      }
    }
  }

  private static ArrayNode pairs(List<int[]> lists) {
    ArrayNode out = J.arrayNode();
    for (int[] l : lists) {
      ArrayNode a = out.addArray();
      for (int x : l) {
        a.add(x);
      }
    }
    return out;
  }
}
