package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The browser-test plumbing ({@link Browser}) on the web app's door as it stands (issue 16): a real
 * node and API ({@link WebTestNode}), a real headless Chromium. A login link signs the browser in
 * once; a used link says so; a name with HTML shows as text and runs nothing; the pages pass axe's
 * serious and critical rules and log no console errors; screenshots land in
 * node/target/screenshots.
 *
 * <p>One node and one browser serve the whole class (a browser starts in about a second, a node in
 * less, but each test only needs a clean cookie jar): {@link #signOut} before every test.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** A name that runs script if a page ever puts it into the DOM as markup. */
  private static final String HOSTILE_NAME = "<img src=x onerror=\"window.pwned=1\">";

  private WebTestNode web;
  private String origin;
  private Browser browser;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Browser.assumeAvailable();
    web = WebTestNode.start(dir, "alice");
    origin = web.origin();
    browser = Browser.start();
  }

  @AfterAll
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (web != null) {
        web.close();
      }
    }
  }

  @BeforeEach
  void signOut() {
    web.signOut(browser);
  }

  /** A PNG file's width in pixels, from its header (IHDR comes first). */
  private static long pngWidth(Path png) throws Exception {
    byte[] b = Files.readAllBytes(png);
    assertThat(b).as("a PNG").startsWith(0x89, 'P', 'N', 'G');
    return ByteBuffer.wrap(b, 16, 4).getInt();
  }

  @Test
  void aLoginLink_signsTheBrowserInOnce() throws Exception {
    String link = web.loginLink();

    browser.open(link);
    browser.waitFor(By.tagName("h1"));

    assertThat(browser.driver().getCurrentUrl()).isEqualTo(origin + "/");
    assertThat(browser.text()).contains("Signed in as");
    assertThat(browser.driver().manage().getCookies())
        .as("the session cookie is HttpOnly")
        .allSatisfy(c -> assertThat(c.isHttpOnly()).isTrue())
        .isNotEmpty();
    assertThat(browser.script("return document.cookie")).as("no script reads it").isEqualTo("");
    assertThat(browser.takeConsoleErrors()).isEmpty();

    browser.deleteCookies();
    browser.open(link);

    assertThat(browser.text()).contains("used already or has expired");
    assertThat(browser.driver().manage().getCookies()).isEmpty();
  }

  @Test
  void aNameWithHtml_showsAsText_andRunsNothing() throws Exception {
    web.setName(HOSTILE_NAME);
    web.signIn(browser);

    String shown = browser.waitFor(By.cssSelector("p.me a")).getText();

    assertThat(shown).isEqualTo(HOSTILE_NAME);
    // No image but the compose box's own (empty, hidden) preview of an attachment.
    assertThat(browser.driver().findElements(By.cssSelector("img:not(.attach-preview)"))).isEmpty();
    assertThat(browser.script("return typeof window.pwned")).isEqualTo("undefined");
    assertThat(browser.takeConsoleErrors()).isEmpty();
  }

  @Test
  void theSignedInPage_passesAxe_onDesktopAndPhone() throws Exception {
    web.setName("Alice Example");
    web.signIn(browser);

    assertThat(browser.axeViolations()).isEmpty();
    Path desktop = browser.screenshot("home-desktop");
    browser.phoneWidth();
    try {
      browser.driver().navigate().refresh();
      browser.waitFor(By.tagName("h1"));
      // What a phone layout reacts to: the media queries see a 390 px wide device.
      assertThat(browser.script("return matchMedia('(max-width: 390px)').matches")).isEqualTo(true);
      // Nothing sticks out sideways (long words such as identities wrap).
      assertThat(browser.horizontalOverflow()).isZero();
      assertThat(browser.axeViolations()).isEmpty();
      assertThat(pngWidth(browser.screenshot("home-phone"))).isEqualTo(390);
      assertThat(pngWidth(browser.screenshotFullPage("home-phone-full"))).isEqualTo(390);
    } finally {
      browser.desktopWidth();
    }
    assertThat(pngWidth(desktop)).isEqualTo(1280);
    assertThat(browser.takeConsoleErrors()).isEmpty();
  }

  @Test
  void theSignInPage_passesAxe_andFitsAPhone() {
    browser.open(origin + "/");
    browser.waitFor(By.tagName("h1"));

    assertThat(browser.text()).contains("grapevine open");
    assertThat(browser.axeViolations()).isEmpty();
    browser.screenshot("sign-in-desktop");
    assertThat(browser.script("return [window.innerWidth, window.innerHeight]"))
        .isEqualTo(List.of(1280L, 800L));
    browser.phoneWidth();
    try {
      browser.driver().navigate().refresh();
      browser.waitFor(By.tagName("h1"));
      assertThat(browser.horizontalOverflow()).isZero();
      assertThat(browser.axeViolations()).isEmpty();
      browser.screenshot("sign-in-phone");
    } finally {
      browser.desktopWidth();
    }
    // The page comes with status 401, which Chromium logs as a failed load; nothing else.
    assertThat(browser.takeConsoleErrors())
        .allSatisfy(e -> assertThat(e).contains("status of 401"));
  }

  @Test
  void theChecksSeeWhatTheyLookFor() {
    // The checks above could pass by seeing nothing: here a page breaks each rule once. An inline
    // script is refused by the CSP and logged; an image without alt text fails axe (critical).
    browser.open(origin + "/");
    browser.waitFor(By.tagName("h1"));
    browser.takeConsoleErrors();
    browser.script(
        "const s = document.createElement('script'); s.textContent = 'window.inline = 1';"
            + " document.body.appendChild(s);"
            + " const i = document.createElement('img'); i.src = 'data:image/gif;base64,"
            + "R0lGODlhAQABAAAAACw='; document.body.appendChild(i);");

    assertThat(browser.script("return typeof window.inline")).isEqualTo("undefined");
    assertThat(browser.takeConsoleErrors())
        .anySatisfy(e -> assertThat(e).contains("Content Security Policy"));
    assertThat(browser.axeViolations())
        .anySatisfy(v -> assertThat(v).startsWith("image-alt [critical]"));
    assertThat(browser.horizontalOverflow()).isZero();
    browser.script(
        "const w = document.createElement('p'); w.textContent = 'x'.repeat(500);"
            + " document.body.appendChild(w);");
    assertThat(browser.horizontalOverflow()).isGreaterThan(1000);
  }

  /**
   * A browser opens at most six connections to one host over HTTP/1.1: were every tab (or every
   * page kept in the back/forward cache) to hold its own event stream, the seventh page would not
   * load. Ten tabs load, and a post made afterwards appears live in the last one.
   */
  @Test
  void tenTabs_allLoad_andShareOneLiveStream() throws Exception {
    web.signIn(browser);
    String first = browser.driver().getWindowHandle();
    try {
      for (int i = 0; i < 9; i++) {
        browser.driver().switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        browser.open(origin + (i % 2 == 0 ? "/" : "/notifications"));
        browser.waitFor(By.cssSelector("html[data-live='open']"));
      }
      browser.open(origin + "/");
      browser.waitFor(By.cssSelector("html[data-live='open']"));

      String text = "made while ten tabs are open";
      web.call("POST", "/v1/posts", JSON.createObjectNode().put("text", text));

      browser.waitFor(By.xpath("//div[@id='timeline']//p[contains(., '" + text + "')]"));
    } finally {
      for (String handle : browser.driver().getWindowHandles()) {
        if (!handle.equals(first)) {
          browser.driver().switchTo().window(handle).close();
        }
      }
      browser.driver().switchTo().window(first);
    }
    assertThat(browser.takeConsoleErrors()).isEmpty();
  }
}
