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
    subcommands = {org.grapevine.cli.node.RunCommand.class, org.grapevine.cli.p2p.P2pCommand.class, picocli.CommandLine.HelpCommand.class},
    description = {
        "Grapevine: a social network with no servers.",
        "Every participant runs a node that keeps signed logs and gossips them over libp2p."
    },
    footer = {"", "Start a node with: grapevine run   (posting, following and reading commands come next)"})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 2 usage error). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    // Failures the user can act on are one line on stderr and exit code 1; usage errors exit 2.
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof org.grapevine.cli.p2p.CliException) {
        cmd.getErr().println("grapevine: " + ex.getMessage());
        return 1;
      }
      throw ex;
    });
    return cli.execute(args);
  }

  /** The project version Maven wrote into the jar. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"grapevine " + version()};
    }
  }
}
