package org.grapevine.simulations.scenario;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.PeerScoreParams;
import org.grapevine.libp2p.gossipsub.PeerScoreThresholds;
import org.grapevine.node.gossip.NodeGossip;

/**
 * The GossipSub parameters a scenario may set: every number and flag of {@link GossipConfig},
 * {@link PeerScoreParams} and {@link PeerScoreThresholds}, found by reflection so that a new router
 * parameter is a scenario key without any change here. A component named {@code xNanos} is the key
 * {@code x}, a duration. Not settable: the signature policy and message id function (Grapevine's:
 * no pubsub signatures, message id = entry id), per-topic score parameters, the IP colocation
 * whitelist.
 */
public final class RouterParams {
  /** One settable parameter. */
  public record Param(String key, String component, Class<?> type, Object defaultValue) {
    public boolean isDuration() {
      return !key.equals(component);
    }
  }

  private RouterParams() {}

  public static List<Param> gossip() {
    return params(GossipConfig.class, GossipConfig.builder().build(), List.of("initialSeqno"));
  }

  public static List<Param> score() {
    return params(PeerScoreParams.class, PeerScoreParams.builder().build(), List.of());
  }

  public static List<Param> thresholds() {
    return params(PeerScoreThresholds.class, PeerScoreThresholds.builder().build(), List.of());
  }

  private static List<Param> params(Class<?> record, Object defaults, List<String> skip) {
    List<Param> out = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      Class<?> t = c.getType();
      if (skip.contains(c.getName())
          || !(t == int.class || t == long.class || t == double.class || t == boolean.class)) {
        continue;
      }
      String key =
          c.getName().endsWith("Nanos")
              ? c.getName().substring(0, c.getName().length() - 5)
              : c.getName();
      try {
        out.add(new Param(key, c.getName(), t, c.getAccessor().invoke(defaults)));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("record accessor " + c.getName(), e);
      }
    }
    return out;
  }

  /** Reads one parameter section; values keyed by component name. */
  static Map<String, Object> read(Fields f, List<Param> params) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Param p : params) {
      if (!f.has(p.key())) {
        continue;
      }
      Object v;
      if (p.isDuration()) {
        v = f.duration(p.key(), (Long) p.defaultValue(), 0, 365L * 24 * 3600 * 1_000_000_000L);
      } else if (p.type() == int.class) {
        v = f.integer(p.key(), (Integer) p.defaultValue(), 0, Integer.MAX_VALUE);
      } else if (p.type() == long.class) {
        v = f.longValue(p.key(), (Long) p.defaultValue());
      } else if (p.type() == double.class) {
        v = f.number(p.key(), (Double) p.defaultValue(), -Double.MAX_VALUE, Double.MAX_VALUE);
      } else {
        v = f.bool(p.key(), (Boolean) p.defaultValue());
      }
      out.put(p.component(), v);
    }
    return out;
  }

  /**
   * The router configuration of a scenario: the router's defaults, then the file's values, made a
   * node's configuration by {@link NodeGossip#config(GossipConfig)} (Grapevine's signature policy,
   * message id and the node's identity-topic scoring), exactly as a running node makes it.
   */
  public static GossipConfig config(Scenario.Protocol protocol) {
    PeerScoreParams.Builder score = PeerScoreParams.builder();
    apply(score, protocol.score());
    PeerScoreThresholds.Builder thresholds = PeerScoreThresholds.builder();
    apply(thresholds, protocol.thresholds());
    GossipConfig.Builder b =
        GossipConfig.builder().scoreParams(score.build()).scoreThresholds(thresholds.build());
    apply(b, protocol.gossip());
    return NodeGossip.config(b.build());
  }

  private static void apply(Object builder, Map<String, Object> values) {
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Method m = setter(builder.getClass(), e.getKey());
      try {
        m.invoke(builder, e.getValue());
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException("builder setter " + e.getKey(), ex);
      }
    }
  }

  private static Method setter(Class<?> builder, String name) {
    for (Method m : builder.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == 1) {
        return m;
      }
    }
    throw new IllegalStateException(builder.getName() + " has no setter " + name);
  }
}
