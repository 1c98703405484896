package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Desktop;
import java.awt.GraphicsEnvironment;
import java.net.URI;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code grapevine open}: {@code POST /v1/web/login-links}; prints the one-time link that signs a
 * browser in to the node's page, and opens it when this machine has a desktop browser.
 */
@Command(
    name = "open",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a browser in to the running node's page: prints a one-time login link (good for two",
      "minutes, for one use) and opens it in the default browser when there is one. The link is a",
      "key to your node: do not share it. --json prints the API's answer."
    })
public final class OpenCommand extends NodeCommand {
  @Option(
      names = "--no-browser",
      description = "Only print the link, even where a browser could be opened.")
  boolean noBrowser;

  @Override
  void run(ApiClient api) throws CliException {
    JsonNode r = api.post("/v1/web/login-links", F.objectNode());
    String url = r.path("url").asText();
    print(r, url);
    if (!noBrowser && !options.json() && browse(url)) {
      System.err.println("(opened in your browser)");
    }
  }

  /** Opens {@code url} in the desktop's browser; false where there is none (a server, CI). */
  private static boolean browse(String url) {
    try {
      if (GraphicsEnvironment.isHeadless()
          || !Desktop.isDesktopSupported()
          || !Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
        return false;
      }
      Desktop.getDesktop().browse(URI.create(url));
      return true;
    } catch (java.io.IOException | RuntimeException | LinkageError e) {
      return false; // Printing the link is the contract; opening it is a convenience.
    }
  }
}
