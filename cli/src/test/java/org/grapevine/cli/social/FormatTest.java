package org.grapevine.cli.social;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The one-line form of entries as the API returns them (docs/API.md "Entry"): names with an
 * identity prefix, counts, reposts with their original.
 */
class FormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALICE = "gv1" + "a".repeat(59);
  private static final String OTHER_ALICE = "gv1" + "b".repeat(59);
  private static final String BOB = "gv1" + "c".repeat(59);
  private static final long NOW = 1_767_225_600_000L;

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static String post(String id, String identity, String name, String text, String counts) {
    return "{'id':'"
        + id
        + "','identity':'"
        + identity
        + "','author_name':"
        + (name == null ? "null" : "'" + name + "'")
        + ",'timestamp':"
        + (NOW - 120_000)
        + ",'kind':'post','deleted':false,'missing':null,'content':{'text':'"
        + text
        + "','reply_to':null},'counts':"
        + counts
        + "}";
  }

  @Test
  void line_post_showsNameWithIdentityPrefix_andNonZeroCounts() throws Exception {
    String line =
        Format.line(
            json(
                post(
                    "1a2b3c4d" + "0".repeat(56),
                    ALICE,
                    "Alice",
                    "hello",
                    "{'replies':2,'reposts':1,'reactions':{'❤':3,'👍':1}}")),
            NOW);

    assertThat(line)
        .isEqualTo(
            "1a2b3c4d  Alice (gv1aaaaaaaaa…)  2m ago    hello  (2 replies, 1 repost, ❤ 3, 👍 1)");
    assertThat(line).doesNotContain(ALICE);
  }

  @Test
  void line_equalNames_toldApartByPrefix_noNameShowsPrefixOnly_zeroCountsLeftOut()
      throws Exception {
    String zero = "{'replies':0,'reposts':0,'reactions':{}}";
    String a = Format.line(json(post("1".repeat(64), ALICE, "Alice", "x", zero)), NOW);
    String b = Format.line(json(post("2".repeat(64), OTHER_ALICE, "Alice", "x", zero)), NOW);
    String c = Format.line(json(post("3".repeat(64), BOB, null, "x", zero)), NOW);

    assertThat(a).contains("Alice (gv1aaaaaaaaa…)").endsWith("x");
    assertThat(b).contains("Alice (gv1bbbbbbbbb…)");
    assertThat(c).isEqualTo("33333333  gv1ccccccccc…  2m ago    x");
  }

  @Test
  void line_repost_showsReposterThenOriginalsAuthorAndText_orThatItIsNotHeld() throws Exception {
    String original =
        post(
            "9f8e7d6c" + "0".repeat(56),
            ALICE,
            "Alice",
            "the original",
            "{'replies':0,'reposts':1,'reactions':{'❤':1}}");
    String held =
        "{'id':'"
            + "5".repeat(64)
            + "','identity':'"
            + BOB
            + "','author_name':'Bob','timestamp':"
            + NOW
            + ",'kind':'repost','deleted':false,'content':{'target':{'identity':'"
            + ALICE
            + "','entry':'9f8e7d6c"
            + "0".repeat(56)
            + "'}},'counts':{'replies':0,'reposts':0,'reactions':{}},'original_held':true,"
            + "'original':"
            + original
            + "}";
    assertThat(Format.line(json(held), NOW))
        .isEqualTo(
            "55555555  Bob (gv1ccccccccc…)  just now  reposted Alice (gv1aaaaaaaaa…): the original"
                + "  (1 repost, ❤ 1)");

    String notHeld =
        held.replace("'original_held':true", "'original_held':false")
            .replace("'original':" + original, "'original':null");
    assertThat(Format.line(json(notHeld), NOW))
        .endsWith(
            "Bob (gv1ccccccccc…)  just now  reposted 9f8e7d6c (the original is not held here)");
  }

  /** A post with extra content fields (JSON, single quotes) after its text. */
  private static String postWith(String id, String text, String contentFields, String tail) {
    return post(id, BOB, "Bob", text, "{'replies':0,'reposts':0,'quotes':2,'reactions':{}}")
        .replace("'reply_to':null}", "'reply_to':null," + contentFields + "}")
        .replaceFirst("}$", tail + "}");
  }

  @Test
  void line_contentWarning_foldedWithLength_unfoldedOnAsk() throws Exception {
    JsonNode warned =
        json(
            postWith(
                "7".repeat(64), "the butler did it ☀", "'content_warning':'film spoilers'", ""));

    assertThat(Format.line(warned, NOW))
        .isEqualTo(
            "77777777  Bob (gv1ccccccccc…)  2m ago    ⚠ film spoilers  [content hidden: 19 chars,"
                + " --show to unfold]  (2 quotes)");
    assertThat(Format.line(warned, NOW)).doesNotContain("butler");
    assertThat(Format.line(warned, NOW, true, true))
        .endsWith("⚠ film spoilers  the butler did it ☀  (2 quotes)");
    // No warning (null, as the API serves it): nothing folds.
    JsonNode plain =
        json(postWith("8".repeat(64), "plain", "'content_warning':null,'quote':null", ""));
    assertThat(Format.line(plain, NOW)).endsWith("2m ago    plain  (2 quotes)");
  }

  @Test
  void line_quote_showsQuotedAuthorAndText_notHeld_liveEvent_andFoldsWithItsWarning()
      throws Exception {
    String ref = "'quote':{'identity':'" + ALICE + "','entry':'9f8e7d6c" + "0".repeat(56) + "'}";
    String quoted =
        post("9f8e7d6c" + "0".repeat(56), ALICE, "Alice", "the original", "{'replies':0}");
    JsonNode held =
        json(postWith("6".repeat(64), "so true", ref, ",'quote_held':true,'quote':" + quoted));
    assertThat(Format.line(held, NOW))
        .endsWith("so true  ❝Alice (gv1aaaaaaaaa…): the original❞  (2 quotes)");

    JsonNode notHeld =
        json(postWith("6".repeat(64), "so true", ref, ",'quote_held':false,'quote':null"));
    assertThat(Format.line(notHeld, NOW))
        .endsWith("so true  ❝quoting 9f8e7d6c (not held here)❞  (2 quotes)");
    JsonNode live = json(postWith("6".repeat(64), "so true", ref, ""));
    assertThat(Format.line(live, NOW)).endsWith("so true  ❝quoting 9f8e7d6c❞  (2 quotes)");

    JsonNode warned =
        json(
            postWith(
                "6".repeat(64),
                "so true",
                ref + ",'content_warning':'politics'",
                ",'quote_held':true,'quote':" + quoted));
    assertThat(Format.line(warned, NOW))
        .endsWith("⚠ politics  [content hidden: 7 chars and a quote, --show to unfold]  (2 quotes)")
        .doesNotContain("original");
    assertThat(Format.line(warned, NOW, true, true))
        .endsWith("⚠ politics  so true  ❝Alice (gv1aaaaaaaaa…): the original❞  (2 quotes)");
  }
}
