package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The web app's rendering and form parsing, without a node: entries, forms, back links, QR. */
class WebRenderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "ab".repeat(32);

  private static JsonNode entry(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  private static String post(String content) {
    return "{'id':'"
        + ID
        + "','identity':'gv1qxyz','kind':'post','timestamp':0,'deleted':false,'missing':null,"
        + "'author_name':'<b>Eve</b>','counts':{'replies':2,'reposts':1,'quotes':0,"
        + "'reactions':{'x':2,'y':1}},'content':"
        + content
        + "}";
  }

  @Test
  void aPost_isEscaped_withItsCountsAndActions() throws Exception {
    String html =
        WebEntries.article(
            entry(post("{'text':'<script>x</script>','content_warning':null}")), "/");

    assertThat(html)
        .contains("&lt;script&gt;x&lt;/script&gt;", "&lt;b&gt;Eve&lt;/b&gt;")
        .doesNotContain("<script>", "<b>")
        .contains("Reply <span class=\"count\">2</span>")
        .contains("Like <span class=\"count\">3</span>")
        .contains("action=\"/web/repost\"");
  }

  @Test
  void aContentWarning_foldsTheText() throws Exception {
    String html =
        WebEntries.article(entry(post("{'text':'the ending','content_warning':'spoilers'}")), "/");

    assertThat(html)
        .containsSubsequence(
            "<details class=\"cw\"><summary>Content warning: spoilers</summary>", "the ending");
  }

  @Test
  void aRepost_showsItsOriginal_orSaysItIsNotHeld() throws Exception {
    String original = post("{'text':'first words'}");
    JsonNode held =
        entry(
            "{'id':'"
                + "cd".repeat(32)
                + "','identity':'gv1qabc','kind':'repost','timestamp':0,'author_name':null,"
                + "'original_held':true,'original':"
                + original
                + "}");
    JsonNode missing =
        entry(
            "{'id':'"
                + "cd".repeat(32)
                + "','identity':'gv1qabc','kind':'repost','timestamp':0,'author_name':null,"
                + "'original_held':false,'original':null}");

    assertThat(WebEntries.article(held, "/")).contains("(no name)", "reposted", "first words");
    assertThat(WebEntries.article(missing, "/")).contains("not held here yet");
  }

  @Test
  void deletedAndMissingContent_sayWhy() throws Exception {
    JsonNode deleted = entry(post("null").replace("'deleted':false", "'deleted':true"));
    JsonNode over = entry(post("null").replace("'missing':null", "'missing':'over_quota'"));

    assertThat(WebEntries.article(deleted, "/"))
        .contains("Deleted by its author")
        .doesNotContain("/web/repost");
    assertThat(WebEntries.article(over, "/")).contains("storage budget");
  }

  private static ApiRequest formRequest(String body) {
    return new ApiRequest(
        "POST", "/web/post", Map.of(), Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void forms_takeOnlyTheirFields_eachOnce() {
    assertThat(WebActions.form(formRequest("text=a+b%26c&back=%2F"), "text", "back"))
        .containsEntry("text", "a b&c")
        .containsEntry("back", "/");
    assertThatThrownBy(() -> WebActions.form(formRequest("text=a&evil=1"), "text"))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("unknown form field 'evil'");
    assertThatThrownBy(() -> WebActions.form(formRequest("text=a&text=b"), "text"))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("given 2 times");
  }

  @Test
  void back_goesOnlyToPathsOfThisNode() {
    for (String bad :
        List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "", "/a b")) {
      assertThat(WebActions.back(Map.of("back", bad)).location()).as(bad).isEqualTo("/");
    }
    assertThat(WebActions.back(Map.of()).location()).isEqualTo("/");
    assertThat(WebActions.back(Map.of("back", "/thread/ab?x=1")).location())
        .isEqualTo("/thread/ab?x=1");
  }

  @Test
  void theQrCode_decodesBackToTheInvite() throws Exception {
    String invite = "gvinvite1" + "q".repeat(180);
    String svg = QrSvg.of(invite);

    Matcher size = Pattern.compile("viewBox=\"0 0 (\\d+) \\d+\"").matcher(svg);
    assertThat(size.find()).isTrue();
    int n = Integer.parseInt(size.group(1));
    int scale = 4;
    int[] pixels = new int[n * scale * n * scale];
    java.util.Arrays.fill(pixels, 0xFFFFFF);
    Matcher square = Pattern.compile("M(\\d+) (\\d+)h1v1h-1z").matcher(svg);
    while (square.find()) {
      int x = Integer.parseInt(square.group(1));
      int y = Integer.parseInt(square.group(2));
      for (int dy = 0; dy < scale; dy++) {
        for (int dx = 0; dx < scale; dx++) {
          pixels[(y * scale + dy) * n * scale + x * scale + dx] = 0;
        }
      }
    }
    String decoded =
        new QRCodeReader()
            .decode(
                new BinaryBitmap(
                    new HybridBinarizer(new RGBLuminanceSource(n * scale, n * scale, pixels))))
            .getText();

    assertThat(decoded).isEqualTo(invite);
    assertThat(svg).contains("role=\"img\"", "aria-label=");
  }

  @Test
  void hashtags_linkToTheirSearch_andTheRestStaysText() {
    assertThat(WebEntries.linked("<i>#garden</i> and#not #trains!"))
        .isEqualTo(
            "&lt;i&gt;<a href=\"/search?q=%23garden\">#garden</a>&lt;/i&gt; and#not"
                + " <a href=\"/search?q=%23trains\">#trains</a>!");
  }

  private static JsonNode feedInfo(boolean builtIn, boolean used, String newer) throws Exception {
    return entry(
        "{'key':'"
            + (builtIn ? "popular" : ID)
            + "','name':'<b>Cats</b>','description':'only <i>cats</i>','version':3,"
            + "'filter':'post.text.contains(\\'<script>\\')','score':'',"
            + "'built_in':"
            + builtIn
            + ",'author':"
            + (builtIn ? "null" : "'gv1qxyz'")
            + ",'author_name':"
            + (builtIn ? "null" : "'<b>Eve</b>'")
            + ",'id':"
            + (builtIn ? "null" : "'" + ID + "'")
            + ",'used':"
            + used
            + ",'newer_version':"
            + (newer == null ? "null" : "'" + newer + "'")
            + ",'users':2}");
  }

  @Test
  void aFeedCard_isEscaped_withItsSourceUsersAndUseOrStop() throws Exception {
    String newer = "cd".repeat(32);
    String unused = WebFeeds.card(feedInfo(false, false, null));
    String used = WebFeeds.card(feedInfo(false, true, newer));
    String builtIn = WebFeeds.card(feedInfo(true, false, null));

    assertThat(unused)
        .contains(
            "&lt;b&gt;Cats&lt;/b&gt;", "only &lt;i&gt;cats&lt;/i&gt;", "&lt;b&gt;Eve&lt;/b&gt;")
        .doesNotContain("<b>", "<i>", "<script>")
        .contains("<pre class=\"source\">post.text.contains(&quot;&lt;script&gt;&quot;)</pre>")
        .contains("(none: newest first)")
        .contains("2 people you follow use it", "version 3")
        .contains("action=\"/web/feeds/use\"", "value=\"" + ID + "\"")
        .doesNotContain("in use", "/web/feeds/stop", "Update available");
    assertThat(used)
        .contains("<span class=\"tag\">in use</span>", "action=\"/web/feeds/stop\"")
        .contains("Update available", "href=\"/?feed=" + newer + "\"")
        .contains("Use the newer version");
    assertThat(builtIn)
        .contains("Built in", "href=\"/?feed=popular\"")
        .doesNotContain("/web/feeds/use", "/web/feeds/stop");
  }

  @Test
  void aFeedPage_showsEachPostsReason_failuresAndTheMoreLink() throws Exception {
    JsonNode page =
        entry(
            "{'feed':"
                + feedInfo(true, false, null)
                + ",'entries':["
                + post("{'text':'hello'}").replace("'counts'", "'reason':'<b>3 likes</b>','counts'")
                + "],'cursor':'a+b/c=','candidates':10,'failures':2,'truncated':true}");

    String html = WebFeeds.feedSection(page, "popular");

    assertThat(html)
        .containsSubsequence("&lt;b&gt;Cats&lt;/b&gt;", "&lt;b&gt;3 likes&lt;/b&gt;", "hello")
        .doesNotContain("<b>")
        .contains("2 posts were left out", "budget")
        .contains("href=\"/?feed=popular&amp;cursor=a%2Bb%2Fc%3D\">More</a>");
    assertThat(WebFeeds.feedSection(entry("{'feed':{'name':'x'},'entries':[],'cursor':null}"), "x"))
        .contains("Nothing in this feed")
        .doesNotContain("More</a>");
  }

  @Test
  void feedProblems_showTheirPlaces_escaped() throws Exception {
    JsonNode problems =
        entry("[{'expression':'filter','line':2,'column':7,'message':'undeclared <x>'}]");

    assertThat(WebFeeds.problems("Not published: bad (invalid_feed)", problems, false))
        .contains("role=\"alert\"")
        .contains("<span class=\"mono\">filter:2:7</span> undeclared &lt;x&gt;");
    assertThat(WebFeeds.problems("Checked.", JSON.createArrayNode(), true)).contains("No problems");
    assertThat(WebFeeds.publishForm(new WebFeeds.Form("<n>", "", "1", "a < b", ""), null))
        .contains("value=\"&lt;n&gt;\"", ">a &lt; b</textarea>");
  }
}
