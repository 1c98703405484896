package org.grapevine.cli.mesh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.libp2p.pnet.SwarmKeyException;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.ConfigFile;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine mesh new-key|join}: a private community mesh (libp2p private networks, a
 * pre-shared swarm key). Nodes without the key cannot finish a connection to the mesh.
 */
@Command(
    name = "mesh",
    mixinStandardHelpOptions = true,
    description = {
      "A private community mesh: only nodes with its swarm key can connect to each other.",
      "One person makes the key (new-key) and gives the file to the others; each joins with it."
    },
    subcommands = {MeshCommand.NewKey.class, MeshCommand.Join.class})
public final class MeshCommand implements Runnable {
  /** Where {@code join} keeps the key, relative to the data directory (as config.toml names it). */
  static final String KEY_FILE = "swarm.key";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "new-key",
      mixinStandardHelpOptions = true,
      description =
          "Make a new swarm key: printed to stdout, or written to --out (grapevine mesh new-key --out our-mesh.key).")
  static final class NewKey implements Callable<Integer> {
    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write the key file here instead of stdout (never overwrites).")
    Path out;

    @Override
    public Integer call() throws CliException {
      String key = SwarmKey.generate(new SecureRandom()).format();
      if (out == null) {
        System.out.println(key);
        return 0;
      }
      try {
        Files.writeString(Files.createFile(out), key + "\n", StandardCharsets.UTF_8);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new CliException(
            out + " already exists; choose another name (nothing was overwritten)");
      } catch (IOException e) {
        throw new CliException("cannot write " + out + ": " + e.getMessage());
      }
      System.out.println(
          "wrote a new swarm key to "
              + out
              + "; members join with `grapevine mesh join "
              + out
              + "`");
      return 0;
    }
  }

  @Command(
      name = "join",
      mixinStandardHelpOptions = true,
      description = {
        "Join the private mesh of a swarm key file: copies it into the data directory and sets",
        "[network] swarm_key in config.toml. Takes effect when the node (re)starts."
      })
  static final class Join implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "The swarm key file (from `grapevine mesh new-key`).")
    Path file;

    @Override
    public Integer call() throws CliException, IOException {
      DataDir dir = options.dataDir();
      byte[] bytes;
      try {
        if (Files.size(file) > 4096) {
          throw new CliException(file + " is too large to be a swarm key file");
        }
        bytes = Files.readAllBytes(file);
        SwarmKey.parse(bytes);
      } catch (NoSuchFileException e) {
        throw new CliException(file + " does not exist");
      } catch (SwarmKeyException e) {
        throw new CliException(file + " is not a swarm key file: " + e.getMessage());
      }
      Files.createDirectories(dir.path());
      NodeConfig before;
      try {
        before = dir.config(new ArrayList<>());
      } catch (ConfigException e) {
        throw new CliException(e.getMessage());
      }
      Path target = dir.path().resolve(KEY_FILE);
      if (before.network().swarmKey() != null
          && !before.network().swarmKey().equals(target.toAbsolutePath().normalize())) {
        throw new CliException(
            dir.configFile()
                + " already names the swarm key "
                + before.network().swarmKey()
                + "; edit [network] swarm_key there to change meshes");
      }
      Files.write(target, bytes);
      String text = Files.readString(dir.configFile(), StandardCharsets.UTF_8);
      String updated = withSwarmKey(text, KEY_FILE);
      try {
        ConfigFile.parse(
            dir.configFile(), updated, dir.path()); // Never leave a config the node refuses.
      } catch (ConfigException e) {
        throw new CliException(
            "cannot set swarm_key in " + dir.configFile() + ": " + e.getMessage());
      }
      Files.writeString(dir.configFile(), updated, StandardCharsets.UTF_8);
      System.out.println(
          "joined the mesh of "
              + file
              + ": key in "
              + target
              + ", set in "
              + dir.configFile()
              + "; (re)start the node to use it");
      return 0;
    }

    /**
     * The config text with {@code [network] swarm_key} set: replaces a set or commented-out {@code
     * swarm_key} line, else adds one under {@code [network]}, else adds the section.
     */
    static String withSwarmKey(String text, String value) {
      String line = "swarm_key = \"" + value + "\"";
      List<String> lines = new ArrayList<>(text.lines().toList());
      String section = "";
      int networkHeader = -1;
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i).strip();
        if (l.startsWith("[")) {
          section = l;
          if (l.equals("[network]")) {
            networkHeader = i;
          }
        } else if (section.equals("[network]") && l.matches("#?\\s*swarm_key\\s*=.*")) {
          lines.set(i, line);
          return String.join("\n", lines) + "\n";
        }
      }
      if (networkHeader >= 0) {
        lines.add(networkHeader + 1, line);
      } else {
        lines.add("");
        lines.add("[network]");
        lines.add(line);
      }
      return String.join("\n", lines) + "\n";
    }
  }
}
