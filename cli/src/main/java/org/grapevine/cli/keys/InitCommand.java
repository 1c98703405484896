package org.grapevine.cli.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.DataDir;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.keys.KeyFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code grapevine init}: a new identity (root key and first device key), the network key and the
 * data directory with its config and API token. Needs no node.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a new identity (a root key and this machine's device key) and the data directory.",
      "Prints the identity string to share, and how to back up the root key."
    })
public final class InitCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Option(
      names = "--passphrase",
      arity = "0..1",
      interactive = true,
      paramLabel = "PASSPHRASE",
      description =
          "Seal the keys with a passphrase (Argon2id + AES-256-GCM); without a value it is asked for.")
  char[] passphrase;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "Seal the keys with the passphrase on the first line of FILE.")
  java.nio.file.Path passphraseFile;

  @Override
  public Integer call() throws CliException, IOException {
    char[] pass =
        passphrase != null
            ? LocalKeys.passphrase(passphrase)
            : passphraseFile != null ? Passphrases.fromFile(passphraseFile) : null;
    DataDir dir = options.dataDir();
    refuseIdentity(
        dir,
        "`grapevine whoami" + flag(dir) + "` shows it. To start over, move the directory away");
    createDataDir(dir);
    DataDir.Keys keys;
    try {
      // Records the identity too: without its root key, this directory stays that identity's.
      keys = dir.createIdentity(new ArrayList<>(), pass);
    } catch (KeyFileException e) {
      throw new CliException(e.getMessage());
    }
    keys.root().destroy();
    AuthorKey device = keys.device().publicKey();
    PeerId peer = LocalKeys.peer(dir, false);
    Identity identity = keys.identity();
    if (options.json()) {
      System.out.println(
          JsonNodeFactory.instance
              .objectNode()
              .put("identity", identity.toString())
              .put("device", device.toHex())
              .put("peer_id", peer.toString())
              .put("data_dir", dir.path().toString())
              .put("root_key_file", LocalKeys.rootFile(dir).toString())
              .put("sealed", pass != null));
      return 0;
    }
    System.out.println("identity:  " + identity);
    System.out.println("data dir:  " + dir.path());
    System.out.println(
        "root key:  "
            + LocalKeys.rootFile(dir)
            + (pass != null ? " (sealed with your passphrase)" : " (not sealed)"));
    System.out.println();
    System.out.println(
        "Share the identity string: others follow you with `grapevine follow " + identity + "`.");
    System.out.println("Back up the root key; it is your account. Either keep a copy of the file:");
    System.out.println("  grapevine identity export" + flag(dir) + " --out my-identity.key");
    System.out.println("or write down its 24-word recovery phrase:");
    System.out.println("  grapevine identity export" + flag(dir) + " --phrase");
    System.out.println("Then start the node: grapevine run" + flag(dir));
    return 0;
  }

  static String flag(DataDir dir) {
    return dir.path().equals(DataDir.defaultPath()) ? "" : " --data-dir " + dir.path();
  }

  /**
   * Refuses a data directory that has a root key or an identity file; {@code whatToDo} ends the
   * message.
   */
  static void refuseIdentity(DataDir dir, String whatToDo) throws CliException {
    for (java.nio.file.Path file : List.of(dir.identityFile(), LocalKeys.rootFile(dir))) {
      if (Files.exists(file)) {
        throw new CliException(
            dir.path() + " already holds an identity (" + file + "); " + whatToDo);
      }
    }
  }

  /**
   * Creates the data directory with its config file and API token, those missing (the keys are the
   * caller's).
   */
  static void createDataDir(DataDir dir) throws CliException, IOException {
    Files.createDirectories(dir.path());
    List<String> created = new ArrayList<>();
    try {
      dir.config(created);
    } catch (ConfigException e) {
      throw new CliException(e.getMessage());
    }
    dir.apiToken(created);
  }
}
