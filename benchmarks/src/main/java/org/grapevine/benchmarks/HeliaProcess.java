package org.grapevine.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Helia peer ({@code libp2p/src/test/js/helia/peer.mjs}) as a child process, driven by its
 * JSON-line commands on stdin. The JSON is read with patterns, enough for the few fields the
 * harness needs (peer ids, CIDs and multiaddrs hold no quotes or escapes).
 */
final class HeliaProcess implements AutoCloseable {
  private static final Pattern PEER_ID = Pattern.compile("\"peerId\":\"(\\w+)\"");
  private static final Pattern ADDR = Pattern.compile("\"(/ip4/127\\.0\\.0\\.1/tcp/\\d+)");
  private static final Pattern CID = Pattern.compile("\"cid\":\"(\\w+)\"");
  private static final Pattern LEAVES = Pattern.compile("\"leaves\":\\[([^\\]]*)\\]");
  private static final long WAIT_SECONDS = 300;

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> unclaimed = new ArrayList<>(); // only the calling thread
  private final String peerId;
  private final String dialAddr;
  private int ids;

  HeliaProcess(Path jsDir) throws Exception {
    String script = jsDir.resolve("helia").resolve("peer.mjs").toString();
    process =
        new ProcessBuilder("node", script, "--timeout", "3600")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    stdin = process.getOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // The process went away: await() reports the missing line.
              }
            },
            "helia-stdout");
    reader.setDaemon(true);
    reader.start();
    String listening = await(l -> l.contains("\"event\":\"listening\""));
    peerId = group(PEER_ID, listening);
    dialAddr = group(ADDR, listening) + "/p2p/" + peerId;
  }

  String peerId() {
    return peerId;
  }

  /** CPU time the node process has used so far (user and system). */
  long cpuNanos() {
    return process.info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
  }

  String dialAddr() {
    return dialAddr;
  }

  /**
   * Sends {@code {"id":..,"cmd":cmd,<fields>}} ({@code fields} is raw JSON members, may be empty).
   */
  String send(String cmd, String fields) throws IOException {
    ids++;
    String id = "c" + ids;
    String line =
        "{\"id\":\"" + id + "\",\"cmd\":\"" + cmd + "\"" + (fields.isEmpty() ? "" : "," + fields);
    stdin.write((line + "}\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    return id;
  }

  /** The result line of command {@code id}; fails if it is not ok. */
  String result(String id) throws Exception {
    String r =
        await(l -> l.contains("\"event\":\"result\"") && l.contains("\"id\":\"" + id + "\""));
    if (!r.contains("\"ok\":true")) {
      throw new IllegalStateException("Helia command failed: " + r);
    }
    return r;
  }

  String command(String cmd, String fields) throws Exception {
    return result(send(cmd, fields));
  }

  /** Waits until this peer has identified {@code peer} and seen it speak Bitswap 1.2.0. */
  void awaitIdentified(String peer) throws Exception {
    await(
        l ->
            l.contains("\"event\":\"identify\"")
                && l.contains("\"peer\":\"" + peer + "\"")
                && l.contains("/ipfs/bitswap/1.2.0"));
  }

  static String cid(String resultLine) {
    return group(CID, resultLine);
  }

  static List<String> leaves(String resultLine) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"(\\w+)\"").matcher(group(LEAVES, resultLine));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The first line (earlier unclaimed ones first) that matches; it is claimed. */
  private String await(Predicate<String> match) throws Exception {
    for (Iterator<String> it = unclaimed.iterator(); it.hasNext(); ) {
      String l = it.next();
      if (match.test(l)) {
        it.remove();
        return l;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new IllegalStateException(
            "Helia printed no awaited line within "
                + WAIT_SECONDS
                + " s (alive: "
                + process.isAlive()
                + ")");
      }
      if (match.test(l)) {
        return l;
      }
      if (l.contains("\"event\":\"error\"")) {
        System.err.println("Helia: " + l);
      }
      unclaimed.add(l);
    }
  }

  private static String group(Pattern p, String line) {
    Matcher m = p.matcher(line);
    if (!m.find()) {
      throw new IllegalStateException("no " + p + " in Helia's line " + line);
    }
    return m.group(1);
  }

  @Override
  public void close() throws IOException {
    stdin.close(); // The peer stops and exits when its stdin closes.
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
