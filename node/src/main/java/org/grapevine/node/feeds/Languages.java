package org.grapevine.node.feeds;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cheap guess at a text's language for {@code post.language}: posts carry no language field. By
 * script first (kana is Japanese, hangul Korean, other Han Chinese, Cyrillic Russian, and so on),
 * then, for Latin script, by which of a few languages' commonest short words occur most. "und"
 * (undetermined, as BCP 47 says) when nothing decides. A guess, documented as one: good enough to
 * filter a feed, not to translate.
 */
final class Languages {
  private static final Map<String, Set<String>> WORDS =
      Map.of(
          "en", Set.of("the", "and", "is", "are", "of", "to", "in", "it", "you", "that", "this"),
          "de", Set.of("der", "die", "das", "und", "ist", "nicht", "ich", "ein", "eine", "mit"),
          "fr", Set.of("le", "la", "les", "et", "est", "une", "des", "pas", "je", "que", "pour"),
          "es", Set.of("el", "los", "las", "y", "es", "una", "del", "por", "que", "pero", "muy"),
          "it", Set.of("il", "gli", "che", "non", "sono", "una", "per", "della", "di", "ma"),
          "nl", Set.of("de", "het", "een", "en", "niet", "ik", "van", "dat", "zijn", "op"),
          "pt", Set.of("os", "as", "um", "uma", "não", "que", "com", "para", "do", "da", "muito"));

  private static final Pattern NON_LETTERS = Pattern.compile("[^\\p{L}]+");

  private Languages() {}

  static String guess(String text) {
    int kana = 0;
    int hangul = 0;
    int han = 0;
    int cyrillic = 0;
    int greek = 0;
    int arabic = 0;
    int hebrew = 0;
    int thai = 0;
    int devanagari = 0;
    int latin = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (!Character.isLetter(c)) {
        continue;
      }
      switch (Character.UnicodeScript.of(c)) {
        case HIRAGANA, KATAKANA -> kana++;
        case HANGUL -> hangul++;
        case HAN -> han++;
        case CYRILLIC -> cyrillic++;
        case GREEK -> greek++;
        case ARABIC -> arabic++;
        case HEBREW -> hebrew++;
        case THAI -> thai++;
        case DEVANAGARI -> devanagari++;
        case LATIN -> latin++;
        default -> {}
      }
    }
    if (kana > 0) {
      return "ja";
    }
    int[] counts = {hangul, han, cyrillic, greek, arabic, hebrew, thai, devanagari, latin};
    String[] names = {"ko", "zh", "ru", "el", "ar", "he", "th", "hi", null};
    int best = -1;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) {
        best = i;
      }
    }
    if (best < 0) {
      return "und";
    }
    return names[best] != null ? names[best] : latin(text);
  }

  private static String latin(String text) {
    String best = "und";
    int bestHits = 0;
    List<String> words = NON_LETTERS.splitAsStream(text.toLowerCase(Locale.ROOT)).toList();
    for (Map.Entry<String, Set<String>> lang : WORDS.entrySet()) {
      int hits = 0;
      for (String w : words) {
        if (lang.getValue().contains(w)) {
          hits++;
        }
      }
      // Ties go to the alphabetically first code, so that the guess does not depend on map order.
      if (hits > bestHits || (hits == bestHits && hits > 0 && lang.getKey().compareTo(best) < 0)) {
        best = lang.getKey();
        bestHits = hits;
      }
    }
    return best;
  }
}
