package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine search QUERY}: {@code GET /v1/search}; matching profiles first (name, identity
 * prefix, bio), then posts best first, one {@link Format} line each.
 */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = {
      "Search the posts and profiles this node holds. Words must all match (case and accents do",
      "not matter); #tag keeps posts with that hashtag; from:NAME or from:IDENTITY keeps those of",
      "one identity (NAME as in its profile). Posts best match first. --json prints the API's answer."
    })
public final class SearchCommand extends NodeCommand {
  @Parameters(
      arity = "1..*",
      paramLabel = "QUERY",
      description =
          "Words, #hashtags and from: filters, for example: grapevine search coffee #rome")
  java.util.List<String> query;

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "20",
      paramLabel = "N",
      description = "Posts (and profiles) to show at most (1 to 100; default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  void run(ApiClient api) throws CliException {
    String q = String.join(" ", query);
    JsonNode r = api.get("/v1/search?q=" + ApiClient.segment(q) + "&limit=" + limit);
    if (options.json()) {
      System.out.println(r);
      return;
    }
    for (JsonNode u : r.path("unknown_from")) {
      System.err.println("(from:" + u.asText() + " names no identity or profile held here)");
    }
    long now = now();
    for (JsonNode p : r.path("profiles")) {
      String name = p.path("name").asText();
      System.out.println(
          "profile  "
              + (name.isEmpty() ? "(no name)" : name)
              + " ("
              + Format.shortIdentity(p.path("identity").asText())
              + ")"
              + (p.path("bio").asText().isEmpty()
                  ? ""
                  : ": " + Format.oneLine(p.path("bio").asText())));
    }
    for (JsonNode e : r.path("entries")) {
      System.out.println(Format.line(e, now));
    }
    if (r.path("entries").isEmpty() && r.path("profiles").isEmpty()) {
      System.err.println("(nothing found for '" + q + "')");
    }
  }
}
