package org.grapevine.node.feeds;

import java.util.List;
import java.util.Optional;
import org.grapevine.node.Node;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;

/** The node's {@link Feeds}. Being written (issue 17): every method refuses for now. */
public final class LocalFeeds implements Feeds {
  private final Node node;
  private final NodeConfig.Feeds config;

  public LocalFeeds(Node node, NodeConfig.Feeds config) {
    this.node = node;
    this.config = config;
  }

  private UnsupportedOperationException notYet() {
    return new UnsupportedOperationException(
        "feeds are being written (issue 17) for " + node.identity() + " " + config);
  }

  @Override
  public List<FeedInfo> list() {
    throw notYet();
  }

  @Override
  public FeedInfo info(String key) throws FeedException {
    throw notYet();
  }

  @Override
  public FeedPage run(String key, Optional<String> cursor, int limit) throws FeedException {
    throw notYet();
  }

  @Override
  public LogEntry publish(FeedDefinition definition) throws FeedException {
    throw notYet();
  }

  @Override
  public LogEntry use(EntryId feed, boolean stopped) throws FeedException {
    throw notYet();
  }

  @Override
  public List<FeedInfo> discover(int max) {
    throw notYet();
  }

  @Override
  public List<FeedProblem> check(FeedDefinition definition) {
    throw notYet();
  }

  @Override
  public Optional<EntryId> latestVersion(EntryId feed) {
    throw notYet();
  }
}
