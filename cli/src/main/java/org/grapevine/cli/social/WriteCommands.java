package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.cli.p2p.Terminal;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.validation.ContentRules;
import org.grapevine.protocol.validation.TextField;
import org.grapevine.protocol.validation.TextProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that write to this node's log: post, reply, react, repost, delete. */
public final class WriteCommands {
  private WriteCommands() {}

  /**
   * The text of a post: the arguments joined by spaces, or stdin when there are none (or just "-").
   * Checked here by the rule the API applies ({@link ContentRules#checkText}), so a mistake is
   * caught before a node is needed.
   */
  static String text(List<String> words, InputStream stdin) throws CliException {
    String text;
    if (words.isEmpty() || words.equals(List.of("-"))) {
      if (Terminal.attached() && words.isEmpty()) {
        System.err.println("(reading the post from stdin; end it with Ctrl-D)");
      }
      try {
        // Read a little past the limit: enough to say "too long" without reading without bound.
        byte[] bytes = stdin.readNBytes(Limits.MAX_POST_TEXT_BYTES + 8);
        text = new String(bytes, StandardCharsets.UTF_8);
        if (bytes.length > Limits.MAX_POST_TEXT_BYTES + 2) {
          throw tooLong(bytes.length, true);
        }
      } catch (IOException e) {
        throw new CliException("cannot read the post from stdin: " + e.getMessage());
      }
      text =
          text.endsWith("\r\n")
              ? text.substring(0, text.length() - 2)
              : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } else {
      text = String.join(" ", words);
    }
    Optional<TextProblem> problem = ContentRules.checkText(TextField.POST_TEXT, text);
    if (problem.isPresent()) {
      TextProblem p = problem.get();
      throw switch (p.code()) {
        case EMPTY ->
            new CliException(
                "the post is empty; give its text as arguments or on stdin (echo 'hello' | grapevine post)");
        case TOO_LONG -> tooLong(p.bytes(), false);
        case NOT_UNICODE -> new CliException(p.message("the post"));
      };
    }
    return text;
  }

  /**
   * {@code text} if the protocol's writer rule takes it for {@code field}; else why not, naming it
   * {@code what}.
   */
  static String checked(TextField field, String what, String text) throws CliException {
    Optional<TextProblem> problem = ContentRules.checkText(field, text);
    if (problem.isPresent()) {
      throw new CliException(problem.get().message(what));
    }
    return text;
  }

  private static CliException tooLong(int bytes, boolean atLeast) {
    return new CliException(
        "the post is "
            + (atLeast ? "more than " + Limits.MAX_POST_TEXT_BYTES : bytes)
            + " bytes of UTF-8; a post holds at most "
            + Limits.MAX_POST_TEXT_BYTES
            + ": shorten it");
  }

  @Command(
      name = "post",
      mixinStandardHelpOptions = true,
      description = {
        "Post to your followers. The text is the arguments, or stdin when there are none:",
        "  grapevine post 'hello, world'",
        "  fortune | grapevine post",
        "  grapevine post --cw 'film spoilers' 'the butler did it'",
        "  grapevine post --quote 1a2b3c4d 'so true'",
        "  grapevine post --attach cat.jpg --alt 'a cat asleep on a keyboard' 'Monday'"
      })
  public static final class Post extends NodeCommand {
    @Option(
        names = "--attach",
        paramLabel = "FILE",
        description =
            "Attach a file (repeatable, at most "
                + Limits.MAX_ATTACHMENTS
                + "). Images lose their metadata (GPS position, camera) before they are stored;"
                + " the type is read from the content.")
    List<Path> attach = new ArrayList<>();

    @Option(
        names = "--alt",
        paramLabel = "TEXT",
        description =
            "The alt text of the attachment given before it (at most "
                + Limits.MAX_ALT_TEXT_BYTES
                + " bytes): what the picture shows, for those who cannot see it.")
    List<String> alt = new ArrayList<>();

    @Option(
        names = "--cw",
        paramLabel = "WARNING",
        description =
            "A content warning: readers see it with the text folded until they unfold it (at most "
                + Limits.MAX_CONTENT_WARNING_BYTES
                + " bytes).")
    String contentWarning;

    @Mixin Mentions mentions;

    @Option(
        names = "--quote",
        paramLabel = "ENTRY",
        description = "Quote a post: its id or a unique prefix (4+ hex digits).")
    String quote;

    @Parameters(
        arity = "0..*",
        paramLabel = "TEXT",
        description =
            "The text (at most "
                + Limits.MAX_POST_TEXT_BYTES
                + " bytes of UTF-8); - or nothing reads stdin.")
    List<String> words = new ArrayList<>();

    private String text;

    @Override
    void check() throws CliException {
      if (contentWarning != null) {
        checked(TextField.CONTENT_WARNING, "the content warning", contentWarning);
      }
      if (attach.size() > Limits.MAX_ATTACHMENTS) {
        throw new CliException(
            attach.size() + " attachments; a post holds at most " + Limits.MAX_ATTACHMENTS);
      }
      if (alt.size() > attach.size()) {
        throw new CliException(
            "--alt describes the --attach before it: "
                + alt.size()
                + " alt texts for "
                + attach.size()
                + " attachments");
      }
      for (String a : alt) {
        if (a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            > Limits.MAX_ALT_TEXT_BYTES) {
          throw new CliException(
              "an alt text holds at most " + Limits.MAX_ALT_TEXT_BYTES + " bytes of UTF-8");
        }
      }
      // With attachments the text may be empty; without, it is read as before.
      text = attach.isEmpty() || !words.isEmpty() ? text(words, System.in) : "";
    }

    @Override
    void run(ApiClient api) throws CliException {
      var body = object().put("text", text);
      if (!attach.isEmpty()) {
        var list = body.putArray("attachments");
        for (int i = 0; i < attach.size(); i++) {
          JsonNode m = MediaCommand.add(api, attach.get(i));
          var a = list.addObject().put("cid", m.path("cid").asText());
          if (i < alt.size()) {
            a.put("alt", alt.get(i));
          }
        }
      }
      if (contentWarning != null) {
        body.put("content_warning", contentWarning);
      }
      if (quote != null) {
        body.put("quote", quote);
      }
      mentions.addTo(body);
      JsonNode e = api.post("/v1/posts", body);
      print(
          e,
          "posted "
              + Format.shortId(e.path("id").asText())
              + (quote != null
                  ? " quoting "
                      + Format.shortId(e.path("content").path("quote").path("entry").asText())
                  : "")
              + (contentWarning != null ? " (behind a content warning)" : "")
              + (attach.isEmpty()
                  ? ""
                  : " with " + attach.size() + (attach.size() == 1 ? " file" : " files")));
    }
  }

  @Command(
      name = "reply",
      mixinStandardHelpOptions = true,
      description =
          "Reply to a post: grapevine reply 1a2b3c4d 'me too'. The text may also come on stdin.")
  public static final class Reply extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "ENTRY",
        description = "The post replied to: its id or a unique prefix (4+ hex digits).")
    String parent;

    @Parameters(
        index = "1..*",
        arity = "0..*",
        paramLabel = "TEXT",
        description = "The reply's text; - or nothing reads stdin.")
    List<String> words = new ArrayList<>();

    @Option(
        names = "--cw",
        paramLabel = "WARNING",
        description = "A content warning: the reply is shown folded behind it.")
    String contentWarning;

    @Mixin Mentions mentions;

    private String text;

    @Override
    void check() throws CliException {
      if (contentWarning != null) {
        checked(TextField.CONTENT_WARNING, "the content warning", contentWarning);
      }
      text = text(words, System.in);
    }

    @Override
    void run(ApiClient api) throws CliException {
      var body = object().put("parent", parent).put("text", text);
      if (contentWarning != null) {
        body.put("content_warning", contentWarning);
      }
      mentions.addTo(body);
      JsonNode e = api.post("/v1/replies", body);
      print(
          e,
          "replied "
              + Format.shortId(e.path("id").asText())
              + " to "
              + Format.shortId(
                  e.path("content").path("reply_to").path("parent").path("entry").asText()));
    }
  }

  @Command(
      name = "react",
      mixinStandardHelpOptions = true,
      description = "React to a post or repost with an emoji: grapevine react 1a2b3c4d 👍")
  public static final class React extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "ENTRY",
        description = "The post or repost: its id or a unique prefix.")
    String target;

    @Parameters(
        index = "1",
        paramLabel = "EMOJI",
        description = "The reaction (at most " + Limits.MAX_EMOJI_BYTES + " bytes).")
    String emoji;

    @Override
    void check() throws CliException {
      checked(TextField.EMOJI, "the emoji", emoji);
    }

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode e = api.post("/v1/reactions", object().put("target", target).put("emoji", emoji));
      print(
          e,
          "reacted "
              + emoji
              + " to "
              + Format.shortId(e.path("content").path("target").path("entry").asText())
              + " (entry "
              + Format.shortId(e.path("id").asText())
              + ")");
    }
  }

  @Command(
      name = "repost",
      mixinStandardHelpOptions = true,
      description = "Repost a post to your followers.")
  public static final class Repost extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "ENTRY",
        description = "The post: its id or a unique prefix.")
    String target;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode e = api.post("/v1/reposts", object().put("target", target));
      print(
          e,
          "reposted "
              + Format.shortId(e.path("content").path("target").path("entry").asText())
              + " (entry "
              + Format.shortId(e.path("id").asText())
              + ")");
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = {
        "Delete one of your entries: its content is dropped everywhere it travels; the signed",
        "entry stays in your log (history is not rewritable), marked deleted."
      })
  public static final class Delete extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "ENTRY",
        description = "Your entry: its id or a unique prefix.")
    String target;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.delete("/v1/entries/" + ApiClient.segment(target));
      print(
          r,
          "deleted "
              + Format.shortId(r.path("target").asText())
              + " (entry "
              + Format.shortId(r.path("entry").path("id").asText())
              + ")");
    }
  }

  /** {@code -m/--mention IDENTITY}, repeatable: who a post or reply mentions. */
  static final class Mentions {
    @Option(
        names = {"-m", "--mention"},
        paramLabel = "IDENTITY",
        description =
            "Mention someone (repeatable, at most "
                + Limits.MAX_MENTIONS
                + "): an identity, or a unique prefix of one this node knows. The entry then"
                + " reaches them even if they do not follow you.")
    List<String> identities = new ArrayList<>();

    /** Puts {@code mentions} into a request body, when there are any. */
    void addTo(com.fasterxml.jackson.databind.node.ObjectNode body) {
      if (!identities.isEmpty()) {
        identities.forEach(body.putArray("mentions")::add);
      }
    }
  }
}
