package org.grapevine.node.storage;

import static org.grapevine.protocol.testing.TestAuthors.bytes;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;
import org.grapevine.protocol.proto.Repost;
import org.grapevine.protocol.testing.TestAuthors;

/** A person with one delegated device, writing real signed entries; and content builders. */
final class StoreTesting {
  private StoreTesting() {}

  static final class Author {
    final TestAuthors.Person person;
    final SigningKey deviceKey;
    final LogWriter device;
    final LogEntry delegation;

    Author(String name) {
      person = TestAuthors.person(name);
      deviceKey = person.deviceKey("laptop");
      device = person.deviceLog(deviceKey);
      delegation = person.delegate(deviceKey, TestAuthors.T0_MILLIS);
    }

    Identity identity() {
      return person.identity;
    }

    LogEntry post(String text, long nowMillis) {
      return device.append(TestAuthors.post(text), nowMillis);
    }

    /** Applies the delegation, then returns this author for chaining. */
    Author delegatedIn(PostStore store) {
      store.apply(delegation);
      return this;
    }
  }

  static Ref ref(LogEntry target) {
    return Ref.newBuilder()
        .setIdentity(bytes(target.header().identity().root()))
        .setEntry(ByteString.copyFrom(target.id().unsafeBytes()))
        .build();
  }

  static Content reply(String text, LogEntry parent) {
    return Content.newBuilder()
        .setPost(
            Post.newBuilder()
                .setText(text)
                .setReplyTo(ReplyTo.newBuilder().setRoot(ref(parent)).setParent(ref(parent))))
        .build();
  }

  static Content reaction(String emoji, LogEntry target) {
    return Content.newBuilder()
        .setReaction(Reaction.newBuilder().setTarget(ref(target)).setEmoji(emoji))
        .build();
  }

  static Content delete(LogEntry target) {
    return Content.newBuilder()
        .setDelete(
            org.grapevine.protocol.proto.Delete.newBuilder()
                .setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
        .build();
  }

  static Content repost(LogEntry target) {
    return Content.newBuilder().setRepost(Repost.newBuilder().setTarget(ref(target))).build();
  }

  /** Every row of every family of the store, for "nothing changed" and "rebuild equals live". */
  static List<String> dumpAll(RocksPostStore store) {
    List<String> rows = new ArrayList<>();
    List<String> names = ColumnFamilies.NAMES;
    for (int i = 0; i < names.size(); i++) {
      for (String row : store.dump(store.families().all().get(i))) {
        rows.add(names.get(i) + ":" + row);
      }
    }
    return rows;
  }

  static List<String> dumpDerived(RocksPostStore store) {
    List<String> rows = new ArrayList<>();
    for (var family : store.families().derived()) {
      rows.addAll(store.dump(family));
    }
    return rows;
  }
}
