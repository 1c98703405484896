package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine media ...} (issue 18): files by their CID, through {@code /v1/media}: add one to
 * the node (stripped of metadata, named by its hash) and get one, from this node or, when it is
 * missing, from peers.
 */
@Command(
    name = "media",
    mixinStandardHelpOptions = true,
    description = {
      "Pictures and files travel outside the log, named by their CID (a hash) and fetched from",
      "peers that hold them (Bitswap). `grapevine post --attach FILE` adds and attaches in one go."
    },
    subcommands = {MediaCommand.Add.class, MediaCommand.Get.class})
public final class MediaCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Uploads {@code file} to {@code POST /v1/media}; the node's answer (cid, size, media_type). */
  static JsonNode add(ApiClient api, Path file) throws CliException {
    if (!Files.isRegularFile(file)) {
      throw new CliException("cannot attach " + file + ": not a readable file");
    }
    return api.upload("/v1/media", file);
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Add a file to this node without posting it: images lose their metadata (GPS position,",
        "camera) first, the type is read from the content. Prints the CID."
      })
  public static final class Add extends NodeCommand {
    @Parameters(paramLabel = "FILE", description = "The file.")
    Path file;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode m = add(api, file);
      print(
          m,
          m.path("cid").asText()
              + "  "
              + m.path("media_type").asText()
              + ", "
              + m.path("size").asLong()
              + " bytes"
              + (m.path("stripped").asBoolean() ? " (metadata removed)" : ""));
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = {
        "Write a file named by its CID to --out: from this node, or fetched from the peers that",
        "hold it (those that gave us a post naming it, then the followers of its author)."
      })
  public static final class Get extends NodeCommand {
    @Parameters(paramLabel = "CID", description = "The file's CID (bafk... or bafy...).")
    String cid;

    @Option(
        names = {"-o", "--out"},
        required = true,
        paramLabel = "FILE",
        description = "Where to write the file (replaced if it exists).")
    Path out;

    @Override
    void check() throws CliException {
      Path parent = out.toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw new CliException("cannot write " + out + ": its directory does not exist");
      }
    }

    @Override
    void run(ApiClient api) throws CliException {
      long n = api.download("/v1/media/" + ApiClient.segment(cid), out);
      System.out.println("wrote " + n + " bytes to " + out);
    }
  }
}
