package org.grapevine.node.feeds;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * A node's feeds over a real RocksDB store, without networking: people write signed entries, which
 * are stored and handed to the feeds as the node's entry listener would, and a clock the test
 * moves. {@code me} is the node's person.
 */
final class FeedFixture implements AutoCloseable {
  static final long HOUR = 3_600_000L;

  /** One identity with one delegated device. */
  final class Person {
    final TestAuthors.Person person;
    final LogWriter device;

    Person(String name) {
      person = TestAuthors.person(name);
      SigningKey key = person.deviceKey("laptop");
      device = person.deviceLog(key);
      deliver(person.delegate(key, TestAuthors.T0_MILLIS));
    }

    Identity identity() {
      return person.identity;
    }

    LogEntry write(Content c) {
      LogEntry e = device.append(c, clock);
      deliver(e);
      return e;
    }

    LogEntry post(String text) {
      return write(TestAuthors.post(text));
    }

    LogEntry post(Post.Builder p) {
      return write(Content.newBuilder().setPost(p).build());
    }

    LogEntry follow(Person other) {
      return write(
          Content.newBuilder()
              .setFollow(
                  Follow.newBuilder()
                      .setIdentity(ByteString.copyFrom(other.identity().root().toBytes())))
              .build());
    }
  }

  final RocksPostStore store;
  final Person me;
  final LocalFeeds feeds;
  long clock = TestAuthors.T0_MILLIS + 1000;
  final List<LogEntry> delivered = new ArrayList<>();

  FeedFixture(Path dir, NodeConfig.Feeds config) {
    this(dir, config, "me");
  }

  FeedFixture(Path dir, String myName) {
    this(dir, NodeConfig.defaults().feeds(), myName);
  }

  FeedFixture(Path dir, NodeConfig.Feeds config, String myName) {
    store = RocksPostStore.open(dir);
    Person[] self = new Person[1];
    feeds =
        new LocalFeeds(
            store, TestAuthors.person(myName).identity, config, c -> self[0].write(c), () -> clock);
    me = new Person(myName);
    self[0] = me;
  }

  FeedFixture(Path dir) {
    this(dir, NodeConfig.defaults().feeds());
  }

  /** Stores an entry and tells the feeds, as the node does for every stored entry. */
  void deliver(LogEntry e) {
    store.apply(e);
    feeds.onEntry(e);
    delivered.add(e);
  }

  /** This node's person follows {@code p} (the store's follow state and a follow entry). */
  void follow(Person p) {
    store.follow(p.identity());
    me.follow(p);
  }

  /** Every id of a feed, paging {@code limit} at a time. */
  List<EntryId> all(String feed, int limit) throws FeedException {
    List<EntryId> out = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    do {
      FeedPage page = feeds.run(feed, cursor, limit);
      page.items().forEach(i -> out.add(i.id()));
      cursor = page.cursor();
    } while (cursor.isPresent());
    return out;
  }

  void advance(long millis) {
    clock += millis;
  }

  @Override
  public void close() {
    feeds.close();
    store.close();
  }
}
