package org.grapevine.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code grapevine} command. For now it answers {@code --help} and {@code --version}; the
 * node, social and diagnostic commands arrive with the node, CLI and libp2p issues.
 */
@Command(
    name = "grapevine",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Grapevine: a social network with no servers.",
        "Every participant runs a node that keeps signed logs and gossips them over libp2p."
    },
    footer = {"", "Running a node (grapevine run) is not available yet in this version."})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 2 usage error). */
  static int execute(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"grapevine " + p.getProperty("version", "(unknown version)")};
    }
  }
}
