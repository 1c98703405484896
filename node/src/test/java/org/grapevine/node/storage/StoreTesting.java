package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.List;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;

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

  // Content builders live in TestContent (protocol test-jar), shared with the API and CLI tests.
  static Ref ref(LogEntry target) {
    return TestContent.ref(target);
  }

  static Content reply(String text, LogEntry parent) {
    return TestContent.reply(text, parent);
  }

  static Content reaction(String emoji, LogEntry target) {
    return TestContent.reaction(emoji, target);
  }

  static Content delete(LogEntry target) {
    return TestContent.delete(target);
  }

  static Content repost(LogEntry target) {
    return TestContent.repost(target);
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
