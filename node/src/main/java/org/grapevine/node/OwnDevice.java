package org.grapevine.node;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.Optional;
import org.grapevine.node.config.LocalKeyFileException;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.validation.DeviceStatus;

/**
 * This node's device in its identity's root log: whether it may write, and its delegation when the
 * node holds the root key. Confined to the storage thread.
 *
 * <p>Rules (a second root log would fork the identity, so the root log is only ever extended from
 * the head this node holds, and started only where the identity was created):
 *
 * <ol>
 *   <li>A device the held root log delegates writes from its own log's held head.
 *   <li>With the root key, an undelegated device is delegated by appending to the held root log,
 *       and a root log is started (entry 1) only when {@code mayStartRootLog}: the data directory
 *       created the identity. A directory that joined an identity ({@code keys/identity} not {@code
 *       created}) waits for the root log from peers and delegates after a completed sync session
 *       brought it, never halfway through one.
 *   <li>Without the root key, the node waits until the root log it syncs delegates the device.
 *   <li>Until then, and after a revocation past the head, {@link #writer} refuses.
 * </ol>
 */
final class OwnDevice {
  private final Identity identity;
  private final SigningKey device;
  private final SigningKey root;
  private final boolean mayStartRootLog;
  private final PostStore store;
  private final Engine engine;
  private LogWriter writer;

  OwnDevice(
      Identity identity,
      SigningKey device,
      SigningKey root,
      boolean mayStartRootLog,
      PostStore store,
      Engine engine) {
    if (root != null && !Identity.of(root.publicKey()).equals(identity)) {
      throw new IllegalArgumentException("the root key given is not the root of " + identity);
    }
    this.identity = identity;
    this.device = device;
    this.root = root;
    this.mayStartRootLog = mayStartRootLog;
    this.store = store;
    this.engine = engine;
  }

  /**
   * Refuses a device key whose own log, as held, belongs to another identity: it would write one
   * log under two identities. One read: its first entry names the identity.
   *
   * @param file where the key came from, to name it
   */
  void checkKey(Path file) throws LocalKeyFileException {
    Optional<Identity> wroteFor =
        store.entry(device.publicKey(), 1).map(e -> e.header().identity());
    if (wroteFor.isPresent() && !wroteFor.get().equals(identity)) {
      throw new LocalKeyFileException(
          LocalKeyFileException.Problem.DEVICE_KEY_OF_ANOTHER_IDENTITY,
          file,
          "a device key of "
              + wroteFor.get()
              + " (its log in this store says so), but this data directory belongs to "
              + identity
              + ": put this identity's device key there, or move this one away",
          null);
    }
  }

  AuthorKey key() {
    return device.publicKey();
  }

  DeviceStatus status() {
    return store.deviceStatus(identity, device.publicKey());
  }

  /** At the node's start: follows the own identity if not yet, and delegates if rule 2 allows. */
  void start(long nowMillis) {
    // A node keeps, serves and reads its own identity like any followed one (sync offers only
    // identities both sides follow, and the timeline shows our own posts); a device that waits
    // for its root log gets it this way too.
    if (!store.follows().contains(identity)) {
      store.follow(identity);
    }
    delegateIfAllowed(true, nowMillis);
  }

  /**
   * Delegates the device if rule 2 allows it now, then refreshes the writer.
   *
   * @param atStart true at start (the root log may be started), false after a sync session
   * @return the delegation written (to publish), if any
   */
  Optional<LogEntry> delegateIfAllowed(boolean atStart, long nowMillis) {
    Optional<LogEntry> written = Optional.empty();
    if (root != null && status().state() == DeviceStatus.State.UNKNOWN) {
      long rootHead = store.contiguousHead(root.publicKey());
      if (rootHead > 0 || (atStart && mayStartRootLog)) {
        LogEntry delegation =
            LogWriter.rootLog(root, head(root.publicKey()))
                .append(
                    Content.newBuilder()
                        .setDelegateDevice(
                            DelegateDevice.newBuilder()
                                .setDevice(ByteString.copyFrom(device.publicKey().unsafeBytes())))
                        .build(),
                    nowMillis);
        IngestOutcome o = engine.ingest(delegation, IngestSource.OWN, nowMillis);
        if (!(o instanceof IngestOutcome.Stored)) {
          throw new IllegalStateException(
              "the delegation of this node's device was not stored: " + o);
        }
        written = Optional.of(delegation);
      }
    }
    refresh();
    return written;
  }

  /** After the held root log changed: a writer once the device is delegated. */
  void refresh() {
    if (writer == null && status().state() != DeviceStatus.State.UNKNOWN) {
      writer = new LogWriter(identity, device, head(device.publicKey()));
    }
  }

  /** Whether the node holds the root key but waits for its root log (rule 2). */
  boolean waitsToDelegate() {
    return root != null && status().state() == DeviceStatus.State.UNKNOWN;
  }

  /**
   * The writer for the next entry.
   *
   * @throws DeviceNotDelegatedException if the held root log does not delegate the device, or
   *     revoked it before the next seq
   */
  LogWriter writer() {
    DeviceStatus s = status();
    if (writer == null || s.state() == DeviceStatus.State.UNKNOWN) {
      throw new DeviceNotDelegatedException(identity, device.publicKey(), false);
    }
    if (!s.allows(writer.head().seq() + 1)) {
      throw new DeviceNotDelegatedException(identity, device.publicKey(), true);
    }
    return writer;
  }

  /** After a failed write: the next one starts again from the held head (reusing the seq). */
  void resetWriter() {
    writer = null;
    refresh();
  }

  private LogHead head(AuthorKey author) {
    long seq = store.contiguousHead(author);
    return seq == 0 ? LogHead.EMPTY : LogHead.of(store.entry(author, seq).orElseThrow());
  }

  /**
   * On the storage thread after a sync session: a joined identity's root log may be here now, and
   * delegate this device (published through {@code driver}'s core).
   */
  void delegateAfterSync(org.grapevine.node.runtime.CoreDriver driver) {
    try {
      if (waitsToDelegate()) {
        delegateIfAllowed(false, System.currentTimeMillis())
            .ifPresent(d -> driver.onStorageRun(c -> c.handleDelegated(d, System.nanoTime())));
      }
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(OwnDevice.class)
          .warn("cannot delegate this node's device", e);
    }
  }
}
