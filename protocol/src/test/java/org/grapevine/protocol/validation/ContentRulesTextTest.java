package org.grapevine.protocol.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.grapevine.protocol.Limits;
import org.junit.jupiter.api.Test;

/** The writer's text rule ({@link ContentRules#checkText}) that the API and the cli share. */
class ContentRulesTextTest {
  @Test
  void postText_atTheLimitPasses_oneByteMoreIsTooLong_countedInUtf8() {
    assertThat(ContentRules.checkText(TextField.POST_TEXT, "a".repeat(Limits.MAX_POST_TEXT_BYTES)))
        .isEmpty();
    // 'é' is two bytes of UTF-8: half the limit plus one character is two bytes over.
    TextProblem p =
        ContentRules.checkText(TextField.POST_TEXT, "é".repeat(Limits.MAX_POST_TEXT_BYTES / 2 + 1))
            .orElseThrow();
    assertThat(p.code()).isEqualTo(TextProblem.Code.TOO_LONG);
    assertThat(p.bytes()).isEqualTo(Limits.MAX_POST_TEXT_BYTES + 2);
    assertThat(p.message("text"))
        .isEqualTo(
            "text is "
                + (Limits.MAX_POST_TEXT_BYTES + 2)
                + " bytes of UTF-8, at most "
                + Limits.MAX_POST_TEXT_BYTES);
    // A pair of surrogates is one code point of four bytes, not two lone surrogates.
    assertThat(ContentRules.checkText(TextField.EMOJI, "🍇".repeat(Limits.MAX_EMOJI_BYTES / 4)))
        .isEmpty();
    assertThat(
            ContentRules.checkText(TextField.EMOJI, "🍇".repeat(Limits.MAX_EMOJI_BYTES / 4 + 1))
                .orElseThrow()
                .bytes())
        .isEqualTo(Limits.MAX_EMOJI_BYTES + 4);
  }

  @Test
  void blank_refusedForPostAndEmoji_allowedForProfileFields() {
    assertThat(ContentRules.checkText(TextField.POST_TEXT, " \n\t").orElseThrow().code())
        .isEqualTo(TextProblem.Code.EMPTY);
    assertThat(ContentRules.checkText(TextField.EMOJI, "").orElseThrow().code())
        .isEqualTo(TextProblem.Code.EMPTY);
    assertThat(ContentRules.checkText(TextField.PROFILE_NAME, "")).isEmpty();
    assertThat(ContentRules.checkText(TextField.PROFILE_BIO, "  ")).isEmpty();
    assertThat(
            ContentRules.checkText(
                    TextField.PROFILE_NAME, "n".repeat(Limits.MAX_PROFILE_NAME_BYTES + 1))
                .orElseThrow()
                .code())
        .isEqualTo(TextProblem.Code.TOO_LONG);
  }

  @Test
  void loneSurrogate_isNotUnicode_wherever_itStands() {
    for (String s : new String[] {"a\uD800", "\uDC00b", "x\uDBFFy", "\uDC00\uD800"}) {
      assertThat(ContentRules.checkText(TextField.POST_TEXT, s).orElseThrow().code())
          .as(s)
          .isEqualTo(TextProblem.Code.NOT_UNICODE);
    }
  }
}
