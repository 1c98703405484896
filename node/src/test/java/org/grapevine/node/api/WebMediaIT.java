package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.LoopbackNodes;
import org.grapevine.node.Node;
import org.grapevine.node.testing.ExifJpeg;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Pictures in the web app (issue 18), in a real headless Chromium on real nodes: Alice attaches a
 * photo a phone wrote (Exif with GPS) in the compose box, sees its preview as her node stored it,
 * describes it and posts; her timeline shows the picture with its alt text; Bob, who follows her,
 * sees it on his page, fetched from her node over Bitswap, and the bytes his browser got carry no
 * Exif. Alice sets an avatar from her profile. Pages pass axe and log no console error.
 */
@Timeout(240)
class WebMediaIT {
  @TempDir Path dir;

  /** Whether the image {@code img} has loaded and decoded (a broken image has no natural width). */
  private static long naturalWidth(Browser b, WebElement img) {
    return (Long) b.script("return arguments[0].complete ? arguments[0].naturalWidth : 0;", img);
  }

  private static void awaitLoaded(Browser b, WebElement img) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (naturalWidth(b, img) == 0) {
      assertThat(System.nanoTime()).as("the picture loads").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void aliceAttachesAPhoto_bobSeesItFetchedFromHer_withoutExif_avatarSet() throws Exception {
    Browser.assumeAvailable();
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    Path photo = dir.resolve("harbour.jpg");
    Files.write(photo, ExifJpeg.withGps(96));
    try (LoopbackNodes nodes = new LoopbackNodes(dir.resolve("nodes"))) {
      Node a = nodes.start("a", alice);
      Node b = nodes.start("b", bob);
      b.connect(addr(a)).get(10, TimeUnit.SECONDS);
      b.follow(alice.identity);
      Thread.sleep(1500); // Meshes form: the post goes by gossip.
      try (WebTestNode webA = WebTestNode.serve(a, nodes.group());
          WebTestNode webB = WebTestNode.serve(b, nodes.group());
          Browser alicePage = Browser.start();
          Browser bobPage = Browser.start()) {
        webA.signIn(alicePage);
        webB.signIn(bobPage);

        // Choose the file: the script uploads it at once and shows it as stored.
        WebElement file = alicePage.waitFor(By.id("attachment-file"));
        file.sendKeys(photo.toString());
        alicePage.waitFor(By.xpath("//output[contains(., 'metadata removed')]"));
        WebElement preview = alicePage.waitFor(By.cssSelector("img.attach-preview"));
        awaitLoaded(alicePage, preview);
        alicePage.driver().findElement(By.id("attachment-alt")).sendKeys("boats at dawn");
        alicePage.driver().findElement(By.id("text")).sendKeys("the harbour this morning");
        alicePage
            .driver()
            .findElement(By.cssSelector("form.compose button[type='submit']"))
            .click();

        WebElement mine =
            alicePage.waitFor(By.cssSelector("#timeline figure.media img[alt='boats at dawn']"));
        awaitLoaded(alicePage, mine);
        assertThat(alicePage.text()).contains("the harbour this morning").contains("boats at dawn");

        // Bob's page: the post arrives live; reload to be sure it is there, then the picture.
        await(
            "bob holds the post",
            () -> b.store().timeline(java.util.Set.of(alice.identity), Long.MAX_VALUE, 10).size(),
            1);
        bobPage.open(webB.origin() + "/");
        WebElement theirs =
            bobPage.waitFor(By.cssSelector("#timeline figure.media img[alt='boats at dawn']"));
        awaitLoaded(bobPage, theirs);
        String src = theirs.getAttribute("src");
        // What Bob's browser got: the stripped file, no Exif, no camera.
        Object bytes =
            bobPage.script(
                "return fetch(arguments[0]).then(r => r.arrayBuffer()).then(buf =>"
                    + " Array.from(new Uint8Array(buf).slice(0, 4096)).map(x =>"
                    + " String.fromCharCode(x)).join(''));",
                src);
        assertThat((String) bytes)
            .startsWith("\u00ff\u00d8")
            .doesNotContain("Exif")
            .doesNotContain(ExifJpeg.CAMERA);

        List<String> problems = new ArrayList<>();
        for (Browser page : List.of(alicePage, bobPage)) {
          page.axeViolations().forEach(v -> problems.add("home: " + v));
          page.takeConsoleErrors().forEach(e -> problems.add("console: " + e));
        }
        bobPage.screenshot("media-home");

        // Alice's avatar, from her profile page.
        alicePage.open(webA.origin() + "/me");
        alicePage.waitFor(By.id("avatar-file")).sendKeys(photo.toString());
        alicePage.waitFor(By.xpath("//output[contains(., 'Added')]"));
        alicePage.driver().findElement(By.id("avatar-alt")).sendKeys("Alice at the harbour");
        alicePage
            .driver()
            .findElement(By.cssSelector("form.profile button[type='submit']"))
            .click();
        WebElement avatar =
            alicePage.waitFor(By.cssSelector("img.avatar[alt='Alice at the harbour']"));
        awaitLoaded(alicePage, avatar);
        alicePage.axeViolations().forEach(v -> problems.add("profile: " + v));
        alicePage.takeConsoleErrors().forEach(e -> problems.add("profile console: " + e));
        alicePage.screenshot("media-profile");
        assertThat(problems).isEmpty();
        LogEntry profile = a.profile(alice.identity).orElseThrow();
        assertThat(profile.content().map(Content::getProfile).orElseThrow().getAvatar().getAlt())
            .isEqualTo("Alice at the harbour");
        assertThat(new String(Files.readAllBytes(photo), StandardCharsets.ISO_8859_1))
            .contains("Exif"); // The original on disk is untouched.
      }
    }
  }
}
