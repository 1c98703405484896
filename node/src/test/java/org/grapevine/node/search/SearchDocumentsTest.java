package org.grapevine.node.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written hashtag scan of post text, against the rule it replaced: a regex ({@code
 * (?<![\p{L}\p{N}_])#([\p{L}\p{N}_]+)}), kept here as the oracle. One discrepancy, on purpose: a
 * letter outside the BMP right before {@code #} glues the tag (the regex let it through).
 */
class SearchDocumentsTest {
  private static final Pattern ORACLE = Pattern.compile("(?<![\\p{L}\\p{N}_])#([\\p{L}\\p{N}_]+)");

  private static Set<String> oracle(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = ORACLE.matcher(text);
    while (m.find() && out.size() < SearchDocuments.MAX_TAGS_PER_POST) {
      String tag = m.group(1);
      if (tag.length() <= SearchQuery.MAX_HASHTAG_CHARS) {
        out.add(tag.toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  @Test
  void hashtagsAsTheRuleSays() {
    assertThat(SearchDocuments.hashtags("Best Café in #Rome, #rome again #Café_2"))
        .containsExactly("rome", "café_2");
    assertThat(SearchDocuments.hashtags("a#b ##x #tag#two # #-")).containsExactly("x", "tag");
    assertThat(SearchDocuments.hashtags("#٣ #Ⅻ #½")).containsExactly("٣", "ⅻ", "½");
    assertThat(SearchDocuments.hashtags("#" + "a".repeat(64) + " #" + "b".repeat(65)))
        .containsExactly("a".repeat(64));
    assertThat(SearchDocuments.hashtags("no tags here")).isEmpty();
    // A letter outside the BMP glues too (the regex's look-behind saw only half of its pair).
    assertThat(SearchDocuments.hashtags("\uD835\uDC00#z #\uD835\uDC00"))
        .containsExactly("\uD835\uDC00");
  }

  @Test
  void hashtagsEqualTheRegexOnRandomText() {
    String[] parts = {"#", "#", "a", "Z", "_", "9", " ", ",", "-", "é", "٣", "Ⅻ", "😀", "ß", "\n"};
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(30);
      for (int j = 0; j < n; j++) {
        b.append(parts[r.nextInt(parts.length)]);
      }
      String text = b.toString();
      assertThat(SearchDocuments.hashtags(text)).as(text).containsExactlyElementsOf(oracle(text));
    }
  }

  @Test
  void atMostMaxTagsPerPost() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      b.append(" #t").append(i);
    }
    assertThat(SearchDocuments.hashtags(b.toString()))
        .hasSize(SearchDocuments.MAX_TAGS_PER_POST)
        .isEqualTo(oracle(b.toString()));
  }
}
