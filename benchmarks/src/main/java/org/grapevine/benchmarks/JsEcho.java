package org.grapevine.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs two js-libp2p peers of one line (listener with echo, dialer with --send-echo) and reads the
 * dialer's figure.
 */
final class JsEcho {
  private static final Pattern ADDR =
      Pattern.compile("\"(/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/\\w+)\"");
  private static final Pattern RATE =
      Pattern.compile("\"event\":\"echo-total\".*\"ok\":true.*\"mibPerSec\":([0-9.]+)");

  private JsEcho() {}

  static double mibPerSecond(Path jsDir, String line, long bytes) throws Exception {
    String script = jsDir.resolve(line).resolve("peer.mjs").toString();
    Process listener =
        new ProcessBuilder("node", script, "--listen", "--echo", "--timeout", "300")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
      String addr = null;
      for (String l; addr == null && (l = out.readLine()) != null; ) {
        Matcher m = ADDR.matcher(l);
        if (m.find()) {
          addr = m.group(1);
        }
      }
      if (addr == null) {
        throw new IllegalStateException("the js listener printed no address");
      }
      Process dialer =
          new ProcessBuilder(
                  "node",
                  script,
                  "--dial",
                  addr,
                  "--send-echo",
                  (bytes >> 20) + "m",
                  "--timeout",
                  "300")
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      BufferedReader d =
          new BufferedReader(
              new InputStreamReader(dialer.getInputStream(), StandardCharsets.UTF_8));
      Double rate = null;
      for (String l; (l = d.readLine()) != null; ) {
        Matcher m = RATE.matcher(l);
        if (m.find()) {
          rate = Double.parseDouble(m.group(1));
        }
      }
      dialer.waitFor(1, TimeUnit.MINUTES);
      if (rate == null) {
        throw new IllegalStateException("the js dialer reported no successful echo");
      }
      return rate;
    } finally {
      listener.getOutputStream().close(); // The js peer exits when its stdin closes.
      if (!listener.waitFor(5, TimeUnit.SECONDS)) {
        listener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
