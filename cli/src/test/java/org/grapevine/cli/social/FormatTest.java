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
}
