package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser for the web app's tests (issue 16): headless Chromium driven through ChromeDriver.
 *
 * <p>Call order: {@link #assumeAvailable()} first (skips the test, or fails it where the browser is
 * required), then {@link #start()}; {@link #open}, {@link #waitFor}, {@link #axeViolations}, {@link
 * #screenshot}, {@link #phoneWidth}, {@link #horizontalOverflow}, {@link #takeConsoleErrors} in any
 * order; {@link #close()} last, in a finally or try-with-resources (or an {@code @AfterAll}) so
 * that a failed test does not leave Chromium running. {@link WebTestNode} signs a browser in.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li><b>Nothing is downloaded at test time.</b> The chromedriver and Chromium executables are
 *       given by path ({@code /usr/bin/chromedriver}, {@code /usr/bin/chromium}; the system
 *       properties {@value #CHROMEDRIVER_PROPERTY} and {@value #CHROMIUM_PROPERTY} override them),
 *       so Selenium Manager, which would look up and fetch a driver, is never run; axe-core comes
 *       from {@code node/src/test/web/node_modules}, installed from its lock file by {@code npm
 *       ci}. Chromium's own background traffic (component updates, sync) is switched off.
 *   <li><b>Availability.</b> Without those executables or without axe-core's node_modules the test
 *       is skipped with the reason; with {@code -D}{@value #REQUIRED_PROPERTY}{@code =true} or env
 *       {@code GRAPEVINE_BROWSER_REQUIRED=true} (CI sets it) it fails instead.
 *   <li><b>Waits are not timed assertions.</b> {@link #waitFor} polls for up to {@link #WAIT}, a
 *       bound meant only to end a test whose page never comes; a slow machine passes.
 *   <li><b>The page's Content-Security-Policy</b> ({@code script-src 'self'}, nothing inline) does
 *       not stop this class's scripts: WebDriver evaluates them through the DevTools protocol,
 *       which CSP does not govern. A page's own inline script would still be refused, and the
 *       refusal shows in {@link #takeConsoleErrors}.
 *   <li><b>DevTools.</b> The viewport sizes and whole-page screenshots use ChromeDriver's DevTools
 *       passthrough ({@code executeCdpCommand}), which needs no selenium-devtools module for the
 *       installed Chromium's version; Selenium's "Unable to find CDP implementation matching N"
 *       warning at start says only that such a module is absent.
 *   <li><b>Sandbox.</b> Chromium runs with {@code --no-sandbox}: its sandbox refuses to start as
 *       root and needs user namespaces that containers usually lack. The pages it visits are our
 *       own, on 127.0.0.1.
 * </ul>
 */
final class Browser implements AutoCloseable {
  /** System property (or env GRAPEVINE_BROWSER_REQUIRED): "true" fails instead of skipping. */
  static final String REQUIRED_PROPERTY = "grapevine.browser.required";

  static final String CHROMIUM_PROPERTY = "grapevine.browser.chromium";
  static final String CHROMEDRIVER_PROPERTY = "grapevine.browser.chromedriver";

  /** How long {@link #waitFor} waits before giving up: generous, it ends only a hung test. */
  static final Duration WAIT = Duration.ofSeconds(30);

  /** The desktop viewport (CSS pixels). */
  static final int DESKTOP_WIDTH = 1280;

  static final int DESKTOP_HEIGHT = 800;

  /** The phone viewport of {@link #phoneWidth()}: a common phone's CSS size (390 x 844). */
  static final int PHONE_WIDTH = 390;

  static final int PHONE_HEIGHT = 844;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SCREENSHOT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final WebDriverWait wait;

  private Browser(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
    this.wait = new WebDriverWait(driver, WAIT);
  }

  /** Skips the calling test (or fails it, when the browser is required) if no browser can run. */
  static void assumeAvailable() {
    Optional<String> problem = unavailableReason();
    if (problem.isEmpty()) {
      return;
    }
    String message =
        "browser tests need Chromium, chromedriver (Debian: apt-get install chromium"
            + " chromium-driver) and `npm ci` in node/src/test/web: "
            + problem.get();
    if (required()) {
      throw new AssertionError(message + " [" + REQUIRED_PROPERTY + "=true]");
    }
    Assumptions.assumeTrue(false, message);
  }

  /** Why no browser can run here, or empty if one can. */
  static Optional<String> unavailableReason() {
    if (!Files.isExecutable(chromium())) {
      return Optional.of("no Chromium executable at " + chromium());
    }
    if (!Files.isExecutable(chromedriver())) {
      return Optional.of("no chromedriver executable at " + chromedriver());
    }
    if (!Files.isRegularFile(axeScript())) {
      return Optional.of("no " + axeScript());
    }
    return Optional.empty();
  }

  /** A fresh headless Chromium (empty profile, no cookies) at the desktop size. */
  static Browser start() {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver().toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        // /dev/shm is 64 MB in a default container; Chromium then crashes on larger pages.
        "--disable-dev-shm-usage",
        // Room for the largest viewport (desktopWidth sets the exact one).
        "--window-size=" + DESKTOP_WIDTH + "," + (DESKTOP_HEIGHT + 200),
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
    Browser b = new Browser(service, driver);
    try {
      driver.manage().timeouts().pageLoadTimeout(WAIT);
      // axe.run on a long page takes seconds; the bound only ends a hung script.
      driver.manage().timeouts().scriptTimeout(WAIT.multipliedBy(2));
      b.desktopWidth();
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  /** The driver, for what this class does not wrap (clicks, typing, navigation). */
  WebDriver driver() {
    return driver;
  }

  /** Loads {@code url} and returns when its load event has fired. */
  void open(String url) {
    driver.get(url);
  }

  /** The first element {@code by} finds once it is visible; waits up to {@link #WAIT}. */
  WebElement waitFor(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /**
   * The first non-null, non-false value of {@code condition} (an {@link ExpectedConditions} or a
   * lambda on the driver); waits up to {@link #WAIT}.
   */
  <T> T waitFor(Function<? super WebDriver, T> condition) {
    return wait.until(condition);
  }

  /** The page's visible text (the body's). */
  String text() {
    return driver.findElement(By.tagName("body")).getText();
  }

  /** Runs {@code script} in the page (as a function body: use {@code return} and arguments). */
  Object script(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Forgets every cookie of the current page's site: the browser is signed out. */
  void deleteCookies() {
    driver.manage().deleteAllCookies();
  }

  /**
   * The serious and critical accessibility violations axe-core finds on the current page, one line
   * each: {@code id [impact] help: first target (N element(s))}. Minor and moderate ones are left
   * to review. axe is injected anew on every call, so it sees the page as it is now.
   */
  List<String> axeViolations() {
    String axe;
    try {
      axe = Files.readString(axeScript(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    driver.executeScript(axe);
    Object raw =
        driver.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(JSON.stringify(r.violations)),"
                + " e => done(JSON.stringify({error: String(e)})));");
    JsonNode violations;
    try {
      violations = JSON.readTree(String.valueOf(raw));
    } catch (IOException e) {
      throw new IllegalStateException("axe answered with no JSON: " + raw, e);
    }
    if (!violations.isArray()) {
      throw new IllegalStateException("axe.run failed on " + driver.getCurrentUrl() + ": " + raw);
    }
    List<String> found = new ArrayList<>();
    for (JsonNode v : violations) {
      String impact = v.path("impact").asText();
      if (!impact.equals("serious") && !impact.equals("critical")) {
        continue;
      }
      JsonNode nodes = v.path("nodes");
      found.add(
          String.format(
              "%s [%s] %s: %s (%d element(s))",
              v.path("id").asText(),
              impact,
              v.path("help").asText(),
              nodes.path(0).path("target").path(0).asText(),
              nodes.size()));
    }
    return found;
  }

  /** Saves the viewport as {@code node/target/screenshots/NAME.png} and returns the file. */
  Path screenshot(String name) {
    return save(name, driver.getScreenshotAs(OutputType.BYTES));
  }

  private static Path save(String name, byte[] png) {
    if (!SCREENSHOT_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a screenshot name is letters, digits, . _ -: " + name);
    }
    Path file = screenshotDir().resolve(name + ".png");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * Saves the whole page, below the fold too, as {@code node/target/screenshots/NAME.png}: for a
   * timeline or thread longer than the viewport.
   */
  Path screenshotFullPage(String name) {
    Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    Map<?, ?> size = (Map<?, ?>) metrics.get("cssContentSize");
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of(
                "format",
                "png",
                "captureBeyondViewport",
                true,
                "clip",
                Map.of(
                    "x", 0,
                    "y", 0,
                    "width", size.get("width"),
                    "height", size.get("height"),
                    "scale", 1)));
    return save(name, Base64.getDecoder().decode((String) shot.get("data")));
  }

  /**
   * A phone's viewport from now on: {@value #PHONE_WIDTH} x {@value #PHONE_HEIGHT} CSS pixels, as a
   * mobile device (the page's viewport meta applies, touch is not emulated). Reload or open a page
   * to lay it out anew if it sizes itself by script.
   */
  void phoneWidth() {
    viewport(PHONE_WIDTH, PHONE_HEIGHT, true);
  }

  /**
   * Back to the desktop viewport, {@value #DESKTOP_WIDTH} x {@value #DESKTOP_HEIGHT} CSS pixels
   * (the size every browser starts with).
   */
  void desktopWidth() {
    viewport(DESKTOP_WIDTH, DESKTOP_HEIGHT, false);
  }

  /**
   * The viewport's size set through the DevTools protocol rather than the window's: a headless
   * window's viewport is its size less a toolbar height Chromium picks, and screenshots should have
   * the same size on every machine.
   */
  private void viewport(int width, int height, boolean mobile) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  /**
   * The browser console's errors (level SEVERE: script errors, CSP refusals, failed loads) since
   * the last call, one line each. Chromium hands each entry out once, so a test that expects an
   * error takes it here before asserting that a later page has none. A page answered with 401 or
   * 404 logs a "Failed to load resource" error too.
   */
  List<String> takeConsoleErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(e.getMessage());
      }
    }
    return errors;
  }

  /**
   * How many CSS pixels the page is wider than its viewport: 0 when it fits, more when a phone user
   * must scroll sideways (a long word or fixed width that does not wrap).
   */
  long horizontalOverflow() {
    Object px =
        driver.executeScript(
            "const e = document.documentElement; return Math.max(0, e.scrollWidth - e.clientWidth);");
    return ((Number) px).longValue();
  }

  /** Quits Chromium and chromedriver; safe to call twice. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      // quit() stops the service too; stopping again is a no-op, and covers a quit that threw.
      service.stop();
    }
  }

  static Path chromium() {
    return Path.of(System.getProperty(CHROMIUM_PROPERTY, "/usr/bin/chromium"));
  }

  static Path chromedriver() {
    return Path.of(System.getProperty(CHROMEDRIVER_PROPERTY, "/usr/bin/chromedriver"));
  }

  /** node/src/test/web/node_modules/axe-core/axe.min.js, from the module or repository root. */
  static Path axeScript() {
    return moduleDir().resolve("src/test/web/node_modules/axe-core/axe.min.js");
  }

  static Path screenshotDir() {
    return moduleDir().resolve("target/screenshots");
  }

  /** The node module's directory: Failsafe runs there; an IDE may run in the repository root. */
  private static Path moduleDir() {
    Path cwd = Path.of("").toAbsolutePath();
    return Files.isDirectory(cwd.resolve("node/src/test/web")) ? cwd.resolve("node") : cwd;
  }

  static boolean required() {
    String value =
        System.getProperty(REQUIRED_PROPERTY, System.getenv("GRAPEVINE_BROWSER_REQUIRED"));
    return value != null && value.trim().equalsIgnoreCase("true");
  }
}
