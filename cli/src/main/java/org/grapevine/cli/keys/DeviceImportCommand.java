package org.grapevine.cli.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.keys.KeyFile;
import org.grapevine.protocol.keys.KeyFileException;
import org.grapevine.protocol.proto.KeyRole;
import org.grapevine.protocol.validation.DeviceStatus;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine device import FILE}: set up this machine as another device of an identity from a
 * bundle written by {@code device add}. Writes {@code keys/device.key}, {@code keys/identity} and
 * no root key, and stores the bundle's root log after checking it as any received entry
 * (signatures, chain, and that it delegates the bundle's key), so the node posts at once and never
 * starts a root log of its own.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Make this data directory another device of an identity, from a bundle written by",
      "`grapevine device add --out FILE` on a machine that holds the root key. No root key comes here:",
      "this machine posts as the identity with its own device key, and the root key stays where it is.",
      "The data directory must not hold an identity yet."
    })
final class DeviceImportCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The device bundle from `grapevine device add --out`.")
  Path file;

  @Option(
      names = "--passphrase",
      arity = "0..1",
      interactive = true,
      paramLabel = "PASSPHRASE",
      description =
          "The passphrase the bundle's key is sealed with (that of the other machine's keys).")
  char[] passphrase;

  @Mixin Passphrases passphrases;

  @Override
  public Integer call() throws CliException, IOException {
    DataDir dir = options.dataDir();
    for (Path existing :
        List.of(LocalKeys.rootFile(dir), LocalKeys.deviceFile(dir), dir.identityFile())) {
      if (Files.exists(existing)) {
        throw new CliException(
            dir.path()
                + " already holds an identity ("
                + existing
                + "); import into a new data directory (--data-dir)");
      }
    }
    DeviceBundle bundle = read();
    SigningKey device = openKey(bundle);
    device.destroy();
    Files.createDirectories(dir.path());
    int rootEntries;
    try (OfflineStore s = OfflineStore.open(dir, "this command writes the store", true)) {
      rootEntries = ingestRootLog(s, bundle);
    }
    // The key last: a directory with a device key but no root log would wait for it needlessly.
    LocalKeys.writeIdentity(dir, bundle.identity());
    LocalKeys.writeNew(LocalKeys.deviceFile(dir), bundle.keyFile());
    InitCommand.createDataDir(dir);
    LocalKeys.peer(dir, true);
    if (options.json()) {
      System.out.println(
          JsonNodeFactory.instance
              .objectNode()
              .put("identity", bundle.identity().toString())
              .put("device", bundle.device().toHex())
              .put("root_log_entries", rootEntries)
              .put("data_dir", dir.path().toString()));
    } else {
      System.out.println(
          "joined "
              + bundle.identity()
              + " as device "
              + bundle.device().toHex()
              + " in "
              + dir.path());
      System.out.println(
          "its root log ("
              + rootEntries
              + " entries) is here, so the node can post at once: grapevine run"
              + InitCommand.flag(dir));
      System.out.println("delete " + file + " now: it holds this device's key");
    }
    return 0;
  }

  private DeviceBundle read() throws CliException {
    byte[] bytes;
    try {
      if (Files.size(file) > DeviceBundle.MAX_BYTES) {
        throw new CliException(
            file
                + " is larger than any device bundle; is it the file from `grapevine device add --out`?");
      }
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CliException(file + " does not exist");
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
    try {
      return DeviceBundle.decode(bytes);
    } catch (DeviceBundle.FormatException e) {
      throw new CliException(file + " is not a device bundle: " + e.getMessage());
    }
  }

  /**
   * Opens the bundle's key (so a wrong passphrase shows now, not at the first run) and checks it is
   * the device named.
   */
  private SigningKey openKey(DeviceBundle bundle) throws CliException {
    SigningKey device;
    try {
      boolean sealed = KeyFile.isSealed(bundle.keyFile());
      char[] pass =
          passphrases.resolve(passphrase, sealed, "passphrase of the device key in " + file + ": ");
      device = KeyFile.read(bundle.keyFile(), pass, KeyRole.KEY_ROLE_DEVICE).signingKey();
    } catch (KeyFileException e) {
      throw switch (e.problem()) {
        case PASSPHRASE_REQUIRED ->
            new CliException(
                "the key in "
                    + file
                    + " is sealed with a passphrase (that of the other machine's keys);"
                    + " give it with --passphrase-file FILE, $"
                    + Passphrases.ENV
                    + " or --passphrase");
        case WRONG_PASSPHRASE ->
            new CliException(
                "wrong passphrase for the key in "
                    + file
                    + " (or the file was altered); try again");
        default -> new CliException("the key in " + file + " cannot be read: " + e.getMessage());
      };
    }
    if (!device.publicKey().equals(bundle.device())) {
      throw new CliException(
          file + " is damaged: its key is not the device " + bundle.device().toHex() + " it names");
    }
    return device;
  }

  /**
   * Stores the bundle's root log, each entry checked as a received one; it must delegate the
   * device.
   */
  private int ingestRootLog(OfflineStore s, DeviceBundle bundle) throws CliException {
    EntryValidator validator = new EntryValidator();
    for (byte[] envelope : bundle.rootEntries()) {
      Verification v = validator.validate(envelope);
      if (v instanceof Verification.Invalid invalid) {
        throw new CliException(
            file
                + " holds an invalid root-log entry ("
                + invalid.reason()
                + ": "
                + invalid.detail()
                + "); nothing was imported");
      }
      LogEntry e = ((Verification.Valid) v).entry();
      if (!e.header().identity().equals(bundle.identity()) || !e.header().inRootLog()) {
        throw new CliException(
            file
                + " holds an entry that is not in the root log of "
                + bundle.identity()
                + "; nothing was imported");
      }
      IngestOutcome o = s.ingest(e);
      if (!(o instanceof IngestOutcome.Stored) && !(o instanceof IngestOutcome.Duplicate)) {
        throw new CliException(
            file + ": root-log entry " + e.header().seq() + " was refused (" + o + ")");
      }
    }
    DeviceStatus status = s.store().deviceStatus(bundle.identity(), bundle.device());
    if (status.state() != DeviceStatus.State.ACTIVE) {
      throw new CliException(
          file
              + ": its root log does not delegate the device "
              + bundle.device().toHex()
              + " (it is "
              + status.state().name().toLowerCase(java.util.Locale.ROOT)
              + " there); make a new bundle with `grapevine device add`");
    }
    return (int) s.store().contiguousHead(bundle.identity().root());
  }
}
