package org.grapevine.node.gossip;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.topic.Topics;

/**
 * Network → engine → router (docs/ARCHITECTURE.md, "A gossip message"): each gossip message is ingested on the storage
 * executor, and the router hears the verdict only once the outcome is known (ACCEPT forwards,
 * REJECT costs the sender, IGNORE drops). Overload is IGNORE, never REJECT: a full storage queue is
 * our problem, not the sender's.
 */
public final class GossipIngress implements GossipDriver.MessageHandler {
  private final Engine engine;
  private final Executor storage;
  private final LongSupplier wallClockMillis;
  private final Consumer<IngestOutcome> outcomes;

  /**
   * @param storage the single thread the engine is confined to
   * @param outcomes told of every outcome (for example to start a sync on a gap), on that thread
   */
  public GossipIngress(Engine engine, Executor storage, LongSupplier wallClockMillis, Consumer<IngestOutcome> outcomes) {
    this.engine = engine;
    this.storage = storage;
    this.wallClockMillis = wallClockMillis;
    this.outcomes = outcomes;
  }

  @Override
  public void onMessage(GossipEvent.MessageReceived message, Consumer<Acceptance> verdict) {
    Optional<Identity> topicOwner = Topics.identityOf(message.topic());
    if (topicOwner.isEmpty()) {
      verdict.accept(Acceptance.REJECT); // Not a Grapevine identity topic of this version.
      return;
    }
    try {
      storage.execute(() -> {
        IngestOutcome outcome = engine.ingest(message.data(), IngestSource.GOSSIP, topicOwner.get(), wallClockMillis.getAsLong());
        verdict.accept(Engine.acceptance(outcome));
        outcomes.accept(outcome);
      });
    } catch (RejectedExecutionException overloaded) {
      verdict.accept(Acceptance.IGNORE);
    }
  }
}
