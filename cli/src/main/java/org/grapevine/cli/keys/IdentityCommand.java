package org.grapevine.cli.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.DataDir;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.keys.KeyFile;
import org.grapevine.protocol.keys.KeyFileException;
import org.grapevine.protocol.keys.RecoveryPhrase;
import org.grapevine.protocol.keys.RecoveryPhraseException;
import org.grapevine.protocol.proto.KeyRole;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine identity export|import}: the root key as a file or a recovery phrase. Needs no
 * node.
 */
@Command(
    name = "identity",
    mixinStandardHelpOptions = true,
    description = "Back up your identity (its root key) or bring it to this data directory.",
    subcommands = {IdentityCommand.Export.class, IdentityCommand.Import.class})
public final class IdentityCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Target {
    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write the root key file here (as sealed as it is in the data directory).")
    Path out;

    @Option(
        names = "--phrase",
        description = "Print the root key as 24 words to write down (not a wallet seed).")
    boolean phrase;
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Back up the root key: a copy of its key file (--out), or its 24-word recovery phrase (--phrase).",
        "Whoever holds either can act as you: keep it offline."
      })
  static final class Export implements Callable<Integer> {
    @Mixin ClientOptions options;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(
        names = "--passphrase",
        arity = "0..1",
        interactive = true,
        paramLabel = "PASSPHRASE",
        description =
            "The passphrase of sealed keys (for --phrase; without a value it is asked for).")
    char[] passphrase;

    @Mixin Passphrases passphrases;

    @Override
    public Integer call() throws CliException {
      DataDir dir = options.dataDir();
      Path rootFile = LocalKeys.rootFile(dir);
      String hint =
          "; is " + dir.path() + " the right data directory? (`grapevine init` creates one)";
      if (!Files.exists(rootFile) && Files.exists(dir.identityFile())) {
        throw LocalKeys.rootKeyOffline(dir);
      }
      if (target.out != null) {
        byte[] bytes = LocalKeys.readBytes(rootFile, hint);
        boolean sealed = LocalKeys.sealed(rootFile);
        LocalKeys.writeNew(target.out, bytes);
        if (options.json()) {
          System.out.println(
              JsonNodeFactory.instance
                  .objectNode()
                  .put("file", target.out.toString())
                  .put("sealed", sealed));
        } else {
          System.out.println(
              "wrote the root key to "
                  + target.out
                  + (sealed
                      ? " (sealed with the data directory's passphrase)"
                      : " (NOT sealed: whoever reads it is you; keep it offline)"));
        }
        return 0;
      }
      SigningKey root =
          LocalKeys.read(
              rootFile, KeyRole.KEY_ROLE_ROOT, passphrases.forKeysIn(dir, passphrase), hint);
      byte[] seed = root.seed();
      try {
        String words = RecoveryPhrase.encode(seed);
        if (options.json()) {
          System.out.println(
              JsonNodeFactory.instance
                  .objectNode()
                  .put("identity", Identity.of(root.publicKey()).toString())
                  .put("phrase", words));
        } else {
          System.out.println(words);
          System.err.println(
              "(the recovery phrase of "
                  + Identity.of(root.publicKey())
                  + "; write it down, keep it offline; `grapevine identity import --phrase` restores it)");
        }
      } finally {
        java.util.Arrays.fill(seed, (byte) 0);
        root.destroy();
      }
      return 0;
    }
  }

  static final class Source {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "FILE",
        description = "A root key file written by `grapevine identity export --out`.")
    Path file;

    @Option(
        names = "--phrase",
        paramLabel = "WORDS",
        description = "The 24 words (in quotes), or - to read them from stdin.")
    String phrase;
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Bring an identity to this data directory from a root key file or a recovery phrase,",
        "with a new device key for this machine. The data directory must not hold an identity yet,",
        "or hold this identity without its root key (moved offline): then the root key comes back.",
        "The identity's root log is not in the file or the phrase, and a node here never starts a new one",
        "(that would fork the identity): the first run fetches it from peers (--bootstrap a node that",
        "follows you or another of your devices), then delegates this machine's device and posts.",
        "Until then posting is refused (device_not_delegated). To add a machine while you still have",
        "the old one, prefer `grapevine device add` there and `grapevine device import` here."
      })
  static final class Import implements Callable<Integer> {
    @Mixin ClientOptions options;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--passphrase",
        arity = "0..1",
        interactive = true,
        paramLabel = "PASSPHRASE",
        description =
            "The passphrase of a sealed key file; the key files written here are sealed with it.")
    char[] passphrase;

    @Mixin Passphrases passphrases;

    @Override
    public Integer call() throws CliException, IOException {
      char[] pass =
          passphrases.resolve(
              passphrase,
              source.file != null && LocalKeys.sealedIfExists(source.file),
              "passphrase of " + source.file + ": ");
      DataDir dir = options.dataDir();
      Optional<DataDir.IdentityRecord> recorded;
      try {
        recorded = dir.identityRecord();
      } catch (IOException e) {
        throw new CliException(e.getMessage());
      }
      if (recorded.isEmpty() || Files.exists(LocalKeys.rootFile(dir))) {
        InitCommand.refuseIdentity(dir, "import into a new data directory (--data-dir)");
      }
      SigningKey root = readRoot(pass);
      try {
        if (recorded.isPresent()) {
          return bringBack(dir, recorded.get().identity(), root, pass);
        }
        return importNew(dir, root, pass);
      } finally {
        root.destroy();
      }
    }

    private SigningKey readRoot(char[] pass) throws CliException, IOException {
      SigningKey root;
      if (source.file != null) {
        byte[] fileBytes = LocalKeys.readBytes(source.file, "");
        try {
          root = KeyFile.read(fileBytes, pass, KeyRole.KEY_ROLE_ROOT).signingKey();
        } catch (KeyFileException e) {
          throw switch (e.problem()) {
            case PASSPHRASE_REQUIRED ->
                new CliException(
                    source.file + " is sealed with a passphrase; give it with --passphrase");
            case WRONG_PASSPHRASE ->
                new CliException(
                    "wrong passphrase for "
                        + source.file
                        + " (or the file was altered); try again");
            default -> new CliException(source.file + ": " + e.getMessage());
          };
        }
      } else {
        String words =
            source.phrase.equals("-")
                ? new String(System.in.readNBytes(4096), StandardCharsets.UTF_8)
                : source.phrase;
        try {
          root = SigningKey.fromSeed(RecoveryPhrase.decode(words));
        } catch (RecoveryPhraseException e) {
          throw new CliException("not a recovery phrase: " + e.getMessage());
        }
      }
      return root;
    }

    /**
     * The root key back into a directory that belongs to its identity and kept working as its
     * device without it; sealed as the keys there are.
     */
    private Integer bringBack(DataDir dir, Identity recorded, SigningKey root, char[] pass)
        throws CliException {
      Identity identity = Identity.of(root.publicKey());
      if (!identity.equals(recorded)) {
        throw new CliException(
            "this is the root key of "
                + identity
                + ", but "
                + dir.path()
                + " belongs to "
                + recorded
                + " ("
                + dir.identityFile()
                + "); nothing was written");
      }
      if (LocalKeys.sealedIfExists(LocalKeys.deviceFile(dir))) {
        if (pass == null) {
          throw new CliException(
              "the keys in "
                  + dir.path()
                  + " are sealed with a passphrase; give it (--passphrase) to seal the root key too");
        }
        // The node opens both keys with one passphrase: it must open the device key.
        LocalKeys.read(LocalKeys.deviceFile(dir), KeyRole.KEY_ROLE_DEVICE, pass, "").destroy();
      }
      LocalKeys.write(LocalKeys.rootFile(dir), root, KeyRole.KEY_ROLE_ROOT, pass);
      if (options.json()) {
        System.out.println(
            JsonNodeFactory.instance
                .objectNode()
                .put("identity", identity.toString())
                .put("data_dir", dir.path().toString())
                .put("root_key_back", true));
      } else {
        System.out.println(
            "the root key of "
                + identity
                + " is back in "
                + LocalKeys.rootFile(dir)
                + "; device add and revoke work again");
      }
      return 0;
    }

    private Integer importNew(DataDir dir, SigningKey root, char[] pass)
        throws CliException, IOException {
      InitCommand.createDataDir(dir);
      if (!Files.exists(LocalKeys.deviceFile(dir))) {
        SigningKey device = SigningKey.generate(LocalKeys.RANDOM);
        LocalKeys.write(LocalKeys.deviceFile(dir), device, KeyRole.KEY_ROLE_DEVICE, pass);
        device.destroy();
      }
      // Sealed with the passphrase given (the file's own, for a sealed file), like the device key.
      Identity identity = Identity.of(root.publicKey());
      // The identity file first: with it, no node here starts a root log (the identity has one
      // elsewhere).
      LocalKeys.writeIdentity(dir, identity);
      LocalKeys.write(LocalKeys.rootFile(dir), root, KeyRole.KEY_ROLE_ROOT, pass);
      LocalKeys.peer(dir, true);
      if (options.json()) {
        System.out.println(
            JsonNodeFactory.instance
                .objectNode()
                .put("identity", identity.toString())
                .put("data_dir", dir.path().toString()));
      } else {
        System.out.println("imported " + identity + " into " + dir.path());
        System.out.println(
            "start the node: grapevine run"
                + InitCommand.flag(dir)
                + " --bootstrap MULTIADDR (a node that holds"
                + " the identity's root log: it is fetched first; posting works once this device is delegated on top of it)");
      }
      return 0;
    }
  }
}
