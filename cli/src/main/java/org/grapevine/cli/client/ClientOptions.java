package org.grapevine.cli.client;

import java.nio.file.Path;
import org.grapevine.node.config.DataDir;
import picocli.CommandLine.Option;

/**
 * Options every node command takes ({@code @Mixin}): the data directory, which names the node to
 * talk to (its {@code api.endpoint} and {@code api.token}), and {@code --json} for scripts.
 */
public final class ClientOptions {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory of the node (default: $GRAPEVINE_DATA_DIR, else $XDG_DATA_HOME/grapevine, else ~/.local/share/grapevine).")
  Path dataDir;

  @Option(
      names = "--json",
      description =
          "Print JSON (the API's answer; JSON lines for streams) instead of text for people.")
  boolean json;

  public DataDir dataDir() {
    return new DataDir(dataDir != null ? dataDir : DataDir.defaultPath());
  }

  public boolean json() {
    return json;
  }

  /** A client of the node of this data directory; fails with exit code 3 if none can be running. */
  public ApiClient client() throws org.grapevine.cli.p2p.CliException {
    return ApiClient.open(dataDir());
  }
}
