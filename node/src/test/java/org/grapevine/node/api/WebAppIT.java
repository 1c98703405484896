package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.LoopbackNodes;
import org.grapevine.node.Node;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The web app in a real browser (headless Chromium through Selenium, {@link Browser}) on real
 * nodes: Alice, Bob and Carol on 127.0.0.1, Bob following Alice, Carol following Bob, Bob not
 * following Carol. Two browsers, Alice's and Bob's, each signed in with its node's login link.
 *
 * <p>What a person does and sees: Alice writes from her page with the keyboard alone and Bob's open
 * page shows it without a reload; Carol replies to Bob and his open notifications show it; search
 * finds a post by a word; blocking Carol from her profile takes her reply out of Bob's thread;
 * hostile names, bios and posts show as text. Every screen is checked by axe-core (no serious or
 * critical violation) at desktop and phone width, must log no console error (a CSP violation
 * would), must not scroll sideways on a phone, and is saved as a screenshot under
 * target/screenshots.
 */
@Timeout(300)
class WebAppIT {
  private static final String HOSTILE_NAME = "<b>Alice</b><img src=x onerror=\"window.pwned=1\">";
  private static final String HOSTILE_BIO = "see <a href=\"javascript:window.pwned=2\">this</a>";

  @TempDir Path dir;

  @Test
  void alicePostsBobSeesItLive_carolsReplyNotifiesBob_searchFinds_blockHidesTheReply()
      throws Exception {
    Browser.assumeAvailable();
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    try (LoopbackNodes nodes = new LoopbackNodes(dir)) {
      Node a = nodes.start("a", alice);
      Node b = nodes.start("b", bob);
      Node c = nodes.start("c", carol);
      // Profiles first: a follow catches up on what is written before it by sync; what is written
      // right after it goes by gossip, which needs the mesh the follow is still forming.
      a.setProfile("Alice", "Writes about gardens and trains.");
      b.setProfile("Bob", "");
      c.setProfile("Carol", "");
      a.connect(addr(b)).get(10, TimeUnit.SECONDS);
      c.connect(addr(b)).get(10, TimeUnit.SECONDS);
      b.follow(alice.identity);
      c.follow(bob.identity);
      await("bob has alice's profile", () -> name(b, alice).equals("Alice") ? 1 : 0, 1);
      try (WebTestNode webA = WebTestNode.serve(a, nodes.group());
          WebTestNode webB = WebTestNode.serve(b, nodes.group());
          Browser alicePage = Browser.start();
          Browser bobPage = Browser.start()) {
        String bobBase = webB.origin();
        webA.signIn(alicePage);
        webB.signIn(bobPage);
        alicePage.waitFor(By.id("text"));
        bobPage.waitFor(By.cssSelector("html[data-live='open']"));
        bobPage.script("window.gvMarker = 42;");

        // Alice writes with the keyboard only: Tab from the top of the page to the text box (past
        // the skip link and the navigation), type, Ctrl+Enter.
        int tabs = 0;
        while (!"text".equals(alicePage.driver().switchTo().activeElement().getAttribute("id"))) {
          assertThat(tabs++).as("Tab presses to reach the text box").isLessThan(20);
          new Actions(alicePage.driver()).sendKeys(Keys.TAB).perform();
        }
        String hello = "hello from Alice's page, grapevine";
        new Actions(alicePage.driver()).sendKeys(hello).perform();
        assertThat(alicePage.waitFor(By.id("text-count")).getText())
            .isEqualTo(
                (org.grapevine.protocol.validation.TextField.POST_TEXT.maxBytes() - hello.length())
                    + " bytes left");
        new Actions(alicePage.driver())
            .keyDown(Keys.CONTROL)
            .sendKeys(Keys.ENTER)
            .keyUp(Keys.CONTROL)
            .perform();
        alicePage.waitFor(By.xpath("//div[@id='timeline']//p[contains(., 'hello from Alice')]"));

        WebElement arrived =
            bobPage.waitFor(By.xpath("//div[@id='timeline']//p[contains(., 'hello from Alice')]"));
        assertThat(arrived.getText()).isEqualTo("hello from Alice's page, grapevine");
        assertThat(bobPage.script("return window.gvMarker;")).as("no reload").isEqualTo(42L);

        // Carol, whom Bob does not follow, replies to Bob while his notifications are open.
        LogEntry bobs = b.post("who is around this evening?", "", null);
        await("carol has bob's post", () -> c.store().entryById(bobs.id()).isPresent() ? 1 : 0, 1);
        bobPage.open(bobBase + "/notifications");
        bobPage.waitFor(By.cssSelector("html[data-live='open']"));
        bobPage.script("window.gvMarker = 43;");
        long unreadBefore =
            Long.parseLong(bobPage.waitFor(By.id("unread")).getAttribute("data-count"));
        c.reply(bobs.id(), "hi Bob, Carol here <script>window.pwned=3</script>");
        WebElement reply =
            bobPage.waitFor(
                By.xpath("//ol[@id='notifications']//p[contains(., 'hi Bob, Carol here')]"));
        assertThat(reply.getText()).isEqualTo("hi Bob, Carol here <script>window.pwned=3</script>");
        assertThat(bobPage.script("return window.gvMarker;")).as("no reload").isEqualTo(43L);
        assertThat(bobPage.waitFor(By.id("unread")).getAttribute("data-count"))
            .isEqualTo(Long.toString(unreadBefore + 1));

        // Search by a word, typed into the search box.
        bobPage.open(bobBase + "/search");
        WebElement q = bobPage.waitFor(By.id("q"));
        q.sendKeys("grapevine", Keys.ENTER);
        bobPage.waitFor(
            By.xpath("//h2[@id='posts-h']/following::p[contains(., 'hello from Alice')]"));

        // A post folded under its content warning, and Bob quoting it.
        LogEntry film = a.post("The butler did it, and the garden knew.", "film spoilers", null);
        await(
            "bob has alice's film post",
            () -> b.store().entryById(film.id()).isPresent() ? 1 : 0,
            1);
        b.post("The best line this year.", "", film.id());

        // The thread shows Carol's reply: a stranger's, held because it addressed Bob.
        String thread = bobBase + "/thread/" + bobs.id().toHex();
        bobPage.open(thread);
        bobPage.waitFor(By.xpath("//ul[@class='tree']//p[contains(., 'hi Bob, Carol here')]"));

        // Every screen: axe, console, screenshot. Bob's node holds all of the above.
        List<String> problems = new ArrayList<>();
        String[][] screens = {
          {"home", "/"},
          {"feeds", "/feeds"},
          {"home-feed", "/?feed=popular"},
          {"compose", "/compose"},
          {"compose-reply", "/compose?reply=" + bobs.id().toHex()},
          {"thread", "/thread/" + bobs.id().toHex()},
          {"profile-own", "/me"},
          {"profile-other", "/people/" + alice.identity},
          {"notifications", "/notifications"},
          {"search", "/search?q=grapevine"},
          {"peers", "/peers"},
          {"settings", "/settings"},
        };
        for (String[] s : screens) {
          bobPage.open(bobBase + s[1]);
          bobPage.waitFor(By.tagName("h1"));
          bobPage.axeViolations().forEach(v -> problems.add(s[0] + ": " + v));
          bobPage.takeConsoleErrors().forEach(e -> problems.add(s[0] + " console: " + e));
          bobPage.screenshot(s[0]);
        }
        // And at phone width: nothing to scroll sideways, nothing axe minds.
        bobPage.phoneWidth();
        try {
          for (String[] s : screens) {
            bobPage.open(bobBase + s[1]);
            bobPage.waitFor(By.tagName("h1"));
            long overflow = bobPage.horizontalOverflow();
            if (overflow != 0) {
              problems.add(s[0] + " on a phone: " + overflow + " px wider than the screen");
            }
            bobPage.axeViolations().forEach(v -> problems.add(s[0] + " on a phone: " + v));
            bobPage.screenshot(s[0] + "-phone");
          }
        } finally {
          bobPage.desktopWidth();
        }
        assertThat(problems).isEmpty();

        // Hostile names and bios are text.
        a.setProfile(HOSTILE_NAME, HOSTILE_BIO);
        await("bob has alice's new profile", () -> name(b, alice).equals(HOSTILE_NAME) ? 1 : 0, 1);
        bobPage.open(bobBase + "/people/" + alice.identity);
        assertThat(bobPage.waitFor(By.tagName("h1")).getText()).isEqualTo(HOSTILE_NAME);
        assertThat(bobPage.waitFor(By.cssSelector("p.bio")).getText()).isEqualTo(HOSTILE_BIO);
        assertThat(
                bobPage.script(
                    "return document.querySelectorAll('main img, a[href^=\"javascript:\"]')"
                        + ".length;"))
            .isEqualTo(0L);

        // Blocking Carol from her profile page takes her reply out of Bob's thread. (Bob does not
        // follow Carol, so holds no profile of hers: her page still works.)
        bobPage.open(bobBase + "/people/" + carol.identity);
        bobPage.waitFor(By.xpath("//button[normalize-space()='Block']")).click();
        bobPage.waitFor(By.xpath("//button[normalize-space()='Unblock']"));
        bobPage.open(thread);
        bobPage.waitFor(By.cssSelector("ul.tree"));
        assertThat(bobPage.text())
            .contains("who is around this evening?")
            .doesNotContain("Carol here");
        assertThat(bobPage.script("return typeof window.pwned;")).isEqualTo("undefined");
        assertThat(alicePage.script("return typeof window.pwned;")).isEqualTo("undefined");
        assertThat(bobPage.takeConsoleErrors()).isEmpty();
      }
    }
  }

  /** The name in the latest profile of {@code who} that {@code n} holds; "" for none. */
  private static String name(Node n, TestAuthors.Person who) {
    return n.profile(who.identity)
        .flatMap(LogEntry::content)
        .map(c -> c.getProfile().getName())
        .orElse("");
  }
}
