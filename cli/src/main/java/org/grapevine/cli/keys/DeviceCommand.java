package org.grapevine.cli.keys;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.DataDir;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.keys.KeyFile;
import org.grapevine.protocol.keys.TinkKeys;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.KeyRole;
import org.grapevine.protocol.proto.RevokeDevice;
import org.grapevine.protocol.validation.DeviceStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine device list|add|revoke}: the identity's devices, as its root log says. Adding
 * and revoking sign a root-log entry with the root key, so they run with the node stopped.
 */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description = {
      "The devices (keys) allowed to write for your identity.",
      "add and revoke sign with the root key and write the root log directly: stop the node first;",
      "it serves the change to followers when it runs again.",
      "A second machine: `device add --out FILE` here, carry FILE over, `device import FILE` there."
    },
    subcommands = {
      DeviceCommand.ListDevices.class,
      DeviceCommand.Add.class,
      DeviceImportCommand.class,
      DeviceCommand.Revoke.class
    })
public final class DeviceCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options of the commands that need the root key. */
  abstract static class RootKeyCommand implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Option(
        names = "--passphrase",
        arity = "0..1",
        interactive = true,
        paramLabel = "PASSPHRASE",
        description = "The passphrase of sealed keys (without a value it is asked for).")
    char[] passphrase;

    @Mixin Passphrases passphrases;

    char[] pass(DataDir dir) throws CliException {
      return passphrases.forKeysIn(dir, passphrase);
    }

    SigningKey root(DataDir dir, char[] pass) throws CliException {
      return LocalKeys.rootKey(dir, pass);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The devices of your identity and their state (node stopped).")
  static final class ListDevices implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Option(
        names = "--passphrase",
        arity = "0..1",
        interactive = true,
        paramLabel = "PASSPHRASE",
        description = "The passphrase of sealed keys.")
    char[] passphrase;

    @Mixin Passphrases passphrases;

    @Override
    public Integer call() throws CliException {
      DataDir dir = options.dataDir();
      Identity identity = LocalKeys.identity(dir, () -> passphrases.forKeysIn(dir, passphrase));
      try (OfflineStore s = OfflineStore.open(dir)) {
        SortedMap<AuthorKey, DeviceStatus> devices = s.store().devices(identity);
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<AuthorKey, DeviceStatus> d : devices.entrySet()) {
          ObjectNode o =
              arr.addObject()
                  .put("device", d.getKey().toHex())
                  .put("state", d.getValue().state().name().toLowerCase(java.util.Locale.ROOT))
                  .put("entries_held", s.store().contiguousHead(d.getKey()));
          if (d.getValue().state() == DeviceStatus.State.REVOKED) {
            o.put("last_valid_seq", d.getValue().lastValidSeq());
          }
        }
        if (options.json()) {
          System.out.println(
              JsonNodeFactory.instance
                  .objectNode()
                  .put("identity", identity.toString())
                  .set("devices", arr));
        } else {
          arr.forEach(
              d ->
                  System.out.println(
                      d.path("device").asText()
                          + "  "
                          + d.path("state").asText()
                          + "  "
                          + d.path("entries_held").asLong()
                          + " entries held"));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Make a key for another device, delegate it in your root log, and write a device bundle"
            + " (--out):",
        "the new key (sealed with the passphrase, if the keys here are sealed) and the root log"
            + " that delegates it.",
        "Carry the file to the other machine and run `grapevine device import FILE` there: it posts"
            + " at once, as you,",
        "without the root key. The bundle is the device's key: keep it private, delete it after the"
            + " import."
      })
  static final class Add extends RootKeyCommand {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the device bundle.")
    Path out;

    @Option(
        names = "--name",
        defaultValue = "",
        paramLabel = "NAME",
        description = "A name for people, e.g. phone.")
    String name;

    @Override
    public Integer call() throws CliException {
      DataDir dir = options.dataDir();
      char[] pass = pass(dir);
      SigningKey root = root(dir, pass);
      Identity identity = Identity.of(root.publicKey());
      SigningKey device = SigningKey.generate(LocalKeys.RANDOM);
      // A directory made by init holds no store until its node ran: the root log starts here then.
      try (OfflineStore s = OfflineStore.open(dir, OfflineStore.ROOT_LOG_PURPOSE, true)) {
        LogEntry e =
            s.signRoot(
                root,
                Content.newBuilder()
                    .setDelegateDevice(
                        DelegateDevice.newBuilder()
                            .setDevice(ByteString.copyFrom(device.publicKey().unsafeBytes()))
                            .setName(name))
                    .build());
        List<byte[]> rootLog = new java.util.ArrayList<>();
        s.rootLog(identity).forEach(held -> rootLog.add(held.toEnvelopeBytes()));
        rootLog.add(e.toEnvelopeBytes());
        byte[] keyFile =
            KeyFile.write(
                TinkKeys.toKeyset(device),
                KeyRole.KEY_ROLE_DEVICE,
                "grapevine",
                pass,
                LocalKeys.RANDOM);
        // The file first: a delegation of a key that was never written down would be useless.
        LocalKeys.writeNew(
            out, new DeviceBundle(identity, device.publicKey(), keyFile, rootLog).encode());
        s.put(e);
        print(
            e,
            device.publicKey(),
            "added device "
                + device.publicKey().toHex()
                + "; carry "
                + out
                + " to the other machine and run `grapevine device import "
                + out.getFileName()
                + "` there (keep the file private)");
      } finally {
        root.destroy();
        device.destroy();
      }
      return 0;
    }

    private void print(LogEntry e, AuthorKey device, String human) {
      System.out.println(
          options.json()
              ? JsonNodeFactory.instance
                  .objectNode()
                  .put("device", device.toHex())
                  .put("entry", e.id().toHex())
                  .put("key_file", out.toString())
                  .toString()
              : human);
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = {
        "Revoke a device (lost or stolen): its entries after the last valid seq are refused, and"
            + " removed",
        "where held, by every node that learns of the revocation. A revoked device is never"
            + " delegated",
        "again."
      })
  static final class Revoke extends RootKeyCommand {
    @Parameters(
        index = "0",
        paramLabel = "DEVICE",
        description =
            "The device key (hex) or a unique prefix of it (see `grapevine device list`).")
    String device;

    @Option(
        names = "--last-valid-seq",
        paramLabel = "SEQ",
        description =
            "Its entries up to this seq stay valid (default: the last one this node holds); later"
                + " ones (a thief's) are removed.")
    Long lastValidSeq;

    @Override
    public Integer call() throws CliException {
      DataDir dir = options.dataDir();
      char[] pass = pass(dir);
      SigningKey root = root(dir, pass);
      Identity identity = Identity.of(root.publicKey());
      try (OfflineStore s = OfflineStore.open(dir)) {
        String prefix = device.strip().toLowerCase(java.util.Locale.ROOT);
        List<AuthorKey> matches =
            s.store().devices(identity).keySet().stream()
                .filter(k -> k.hexStartsWith(prefix))
                .toList();
        if (prefix.isEmpty() || matches.isEmpty()) {
          throw new CliException(
              "no device of "
                  + identity
                  + " starts with '"
                  + device
                  + "'; see `grapevine device list`");
        }
        if (matches.size() > 1) {
          throw new CliException(
              "'" + device + "' matches " + matches.size() + " devices; give more characters");
        }
        AuthorKey key = matches.get(0);
        if (s.store().deviceStatus(identity, key).state() == DeviceStatus.State.REVOKED) {
          throw new CliException("device " + key.toHex() + " is already revoked");
        }
        if (key.equals(
            LocalKeys.read(LocalKeys.deviceFile(dir), KeyRole.KEY_ROLE_DEVICE, pass, "")
                .publicKey())) {
          throw new CliException(
              "device "
                  + key.toHex()
                  + " is the one this data directory writes with; revoke it from another data"
                  + " directory that holds the root key");
        }
        long held = s.store().contiguousHead(key);
        long last = lastValidSeq != null ? lastValidSeq : held;
        // The store removes the device's entries after `last` with the revocation (issue 12).
        long removed = Math.max(0, held - last);
        LogEntry e =
            s.appendRoot(
                root,
                Content.newBuilder()
                    .setRevokeDevice(
                        RevokeDevice.newBuilder()
                            .setDevice(ByteString.copyFrom(key.unsafeBytes()))
                            .setLastValidSeq(last))
                    .build());
        System.out.println(
            options.json()
                ? JsonNodeFactory.instance
                    .objectNode()
                    .put("device", key.toHex())
                    .put("last_valid_seq", last)
                    .put("removed", removed)
                    .put("entry", e.id().toHex())
                    .toString()
                : "revoked device "
                    + key.toHex()
                    + " (its entries up to seq "
                    + last
                    + " stay valid"
                    + (removed > 0
                        ? "; its " + removed + " later entries held here are removed"
                        : "")
                    + ")");
      } finally {
        root.destroy();
      }
      return 0;
    }
  }
}
