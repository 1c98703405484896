package org.grapevine.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.grapevine.cli.keys.DeviceCommand;
import org.grapevine.cli.keys.IdentityCommand;
import org.grapevine.cli.keys.InitCommand;
import org.grapevine.cli.mesh.MeshCommand;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.cli.social.FollowCommands;
import org.grapevine.cli.social.NodeCommands;
import org.grapevine.cli.social.ProfileCommand;
import org.grapevine.cli.social.ReadCommands;
import org.grapevine.cli.social.WriteCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code grapevine} command: set up an identity, run a node, and talk to the running node
 * through its local API (post, follow, read), plus libp2p diagnostics. Failures are one line on
 * stderr with a meaningful exit code ({@link ExitCode}); {@code --verbose} adds stack traces.
 */
@Command(
    name = "grapevine",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = {
      InitCommand.class,
      NodeCommands.Whoami.class,
      org.grapevine.cli.node.RunCommand.class,
      WriteCommands.Post.class,
      WriteCommands.Reply.class,
      WriteCommands.React.class,
      WriteCommands.Repost.class,
      WriteCommands.Delete.class,
      org.grapevine.cli.social.InviteCommand.class,
      FollowCommands.Follow.class,
      FollowCommands.Unfollow.class,
      FollowCommands.Mute.class,
      FollowCommands.Unmute.class,
      FollowCommands.Following.class,
      FollowCommands.Followers.class,
      FollowCommands.Mutes.class,
      FollowCommands.Block.class,
      FollowCommands.Unblock.class,
      FollowCommands.Blocks.class,
      ReadCommands.Timeline.class,
      ReadCommands.Posts.class,
      ReadCommands.ThreadCommand.class,
      org.grapevine.cli.social.NotificationsCommand.class,
      org.grapevine.cli.social.SearchCommand.class,
      org.grapevine.cli.social.FeedCommand.class,
      org.grapevine.cli.social.MediaCommand.class,
      org.grapevine.cli.social.OpenCommand.class,
      ProfileCommand.class,
      NodeCommands.Peers.class,
      NodeCommands.Status.class,
      IdentityCommand.class,
      DeviceCommand.class,
      MeshCommand.class,
      org.grapevine.cli.store.StoreCommand.class,
      CompletionCommand.class,
      org.grapevine.cli.p2p.P2pCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    description = {
      "Grapevine: a social network with no servers.",
      "Every participant runs a node that keeps signed logs and gossips them over libp2p.",
      "Most commands talk to the running node of a data directory (--data-dir, or $GRAPEVINE_DATA_DIR);",
      "entry ids and identities may be shortened to any unique prefix, like git hashes."
    },
    footer = {
      "",
      "Start: grapevine init, then grapevine run; in another terminal: grapevine post hello",
      "Exit codes: 0 ok, 1 failed (bad input, refused), 2 bad usage, 3 no node running,",
      "4 the root key is offline (`grapevine identity import` brings it back)."
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace too.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code ({@link ExitCode}). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean verbose = verbose(args);
    cli.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr().println("grapevine: " + ex.getMessage());
          cmd.getErr().println("(see `" + cmd.getCommandSpec().qualifiedName() + " --help`)");
          return ExitCode.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof CliException c) {
            cmd.getErr().println("grapevine: " + c.getMessage());
            if (verbose) {
              ex.printStackTrace(cmd.getErr());
            }
            return c.exitCode();
          }
          cmd.getErr()
              .println(
                  "grapevine: internal error: "
                      + ex
                      + (verbose
                          ? ""
                          : " (run again with --verbose for the stack trace, and please report it)"));
          if (verbose) {
            ex.printStackTrace(cmd.getErr());
          }
          return ExitCode.ERROR;
        });
    return cli.execute(args);
  }

  /**
   * Whether {@code --verbose} is among the options (before any {@code --}); read before parsing,
   * for failures in parsing too.
   */
  private static boolean verbose(String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("--verbose")) {
        return true;
      }
    }
    return false;
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
