package org.grapevine.protocol.sync;

import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.util.ArrayList;
import java.util.List;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;

/** Complete logs of one person, from which tests give each node a prefix. */
final class SyncFixtures {
  private SyncFixtures() {}

  static final class PersonLogs {
    final TestAuthors.Person person;
    final List<LogEntry> root = new ArrayList<>();
    final List<SigningKey> devices = new ArrayList<>();
    final List<List<LogEntry>> deviceLogs = new ArrayList<>();

    /** A person with {@code postsPerDevice.length} devices, device i writing that many posts. */
    PersonLogs(String name, int... postsPerDevice) {
      this(name, 0, postsPerDevice);
    }

    /** As above, each post's text padded to at least {@code textBytes} bytes. */
    static PersonLogs padded(String name, int textBytes, int... postsPerDevice) {
      return new PersonLogs(name, textBytes, postsPerDevice);
    }

    private PersonLogs(String name, int textBytes, int[] postsPerDevice) {
      person = TestAuthors.person(name);
      for (int d = 0; d < postsPerDevice.length; d++) {
        SigningKey device = person.deviceKey("device" + d);
        devices.add(device);
        root.add(person.delegate(device, T0_MILLIS));
        LogWriter w = person.deviceLog(device);
        List<LogEntry> log = new ArrayList<>();
        for (int i = 1; i <= postsPerDevice[d]; i++) {
          String text = name + " on device " + d + ", post " + i;
          log.add(
              w.append(
                  post(text + "x".repeat(Math.max(0, textBytes - text.length()))), T0_MILLIS + i));
        }
        deviceLogs.add(log);
      }
    }

    Identity identity() {
      return person.identity;
    }

    AuthorKey device(int d) {
      return devices.get(d).publicKey();
    }

    /** Gives {@code node} the whole root log and the first {@code held[d]} entries of device d. */
    void giveTo(SyncTestNode node, int... held) {
      node.addAll(root);
      for (int d = 0; d < held.length; d++) {
        node.addAll(deviceLogs.get(d).subList(0, held[d]));
      }
    }

    /** All authors: root first, then devices. */
    List<AuthorKey> authors() {
      List<AuthorKey> all = new ArrayList<>();
      all.add(person.identity.root());
      devices.forEach(d -> all.add(d.publicKey()));
      return all;
    }
  }
}
