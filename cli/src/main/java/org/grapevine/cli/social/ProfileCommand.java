package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.validation.TextField;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code grapevine profile [IDENTITY]} and {@code grapevine profile set --name ... --bio ...}. */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description = "Show a profile (name and bio): yours, or that of an identity this node holds.",
    subcommands = ProfileCommand.Set.class)
public final class ProfileCommand extends NodeCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "IDENTITY",
      description = "Whose profile (default: yours); a unique prefix will do.")
  String identity;

  @Override
  void run(ApiClient api) throws CliException {
    JsonNode p =
        api.get(identity == null ? "/v1/profile" : "/v1/profiles/" + ApiClient.segment(identity));
    print(p, human(p));
  }

  static String human(JsonNode p) {
    String name = p.path("name").asText();
    String bio = p.path("bio").asText();
    StringBuilder sb = new StringBuilder(p.path("identity").asText());
    sb.append("\nname: ").append(name.isEmpty() ? "(none)" : name);
    sb.append("\nbio:  ").append(bio.isEmpty() ? "(none)" : bio.replace("\n", "\n      "));
    if (p.path("forked").asBoolean()) {
      sb.append("\n").append(Format.FORKED).append(" this identity signed two histories:");
      for (JsonNode f : p.path("forks")) {
        sb.append("\n  log ")
            .append(f.path("author").asText(), 0, 8)
            .append(" seq ")
            .append(f.path("seq").asLong())
            .append(": ")
            .append(Format.shortId(f.path("held").asText()))
            .append(" and ")
            .append(Format.shortId(f.path("incoming").asText()));
      }
    }
    if (p.path("entry").isNull()) {
      sb.append("\n(no profile entry held)");
    } else {
      sb.append("\nset:  ")
          .append(Format.age(p.path("timestamp").asLong(), now()))
          .append(" (entry ")
          .append(Format.shortId(p.path("entry").asText()))
          .append(')');
    }
    return sb.toString();
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description =
          "Set your name, bio or both; what you leave out keeps its value. An empty value (--bio '') clears it.")
  public static final class Set extends NodeCommand {
    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "Your name for people (at most " + Limits.MAX_PROFILE_NAME_BYTES + " bytes).")
    String name;

    @Option(
        names = "--bio",
        paramLabel = "TEXT",
        description = "A few words about you (at most " + Limits.MAX_PROFILE_BIO_BYTES + " bytes).")
    String bio;

    @Override
    void check() throws CliException {
      if (name != null) {
        WriteCommands.checked(TextField.PROFILE_NAME, "the name", name);
      }
      if (bio != null) {
        WriteCommands.checked(TextField.PROFILE_BIO, "the bio", bio);
      }
    }

    @Override
    void run(ApiClient api) throws CliException {
      if (name == null && bio == null) {
        throw new CliException(
            "nothing to set; give --name, --bio or both (grapevine profile set --name Alice)");
      }
      ObjectNode body = object();
      if (name != null) {
        body.put("name", name);
      }
      if (bio != null) {
        body.put("bio", bio);
      }
      JsonNode p = api.put("/v1/profile", body);
      print(p, "profile set\n" + human(p));
    }
  }
}
