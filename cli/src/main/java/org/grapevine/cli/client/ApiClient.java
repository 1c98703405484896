package org.grapevine.cli.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.function.Predicate;
import org.grapevine.cli.ExitCode;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.ConfigFile;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;

/**
 * A client of the node's local HTTP API (docs/API.md) for one data directory. The address is the
 * {@code api.endpoint} file a running node writes (else {@code [api] port} of {@code config.toml});
 * the bearer token is {@code api.token}. Every failure becomes a {@link CliException}: the API's
 * own error message, or "no node is running ..." with {@link ExitCode#NO_NODE} when nothing
 * answers.
 */
public final class ApiClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** Writes wait for the entry to be durable; generous, but a hung node still ends the command. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Uploads and downloads of media: a file of tens of MiB, or one fetched from peers first (the
   * node gives up on peers sooner, and answers).
   */
  static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(10);

  /** A page of 200 entries of at most 16 KiB content each is about 7 MiB of JSON. */
  static final int MAX_RESPONSE_BYTES = 16 << 20;

  /** One event line holds one entry's JSON. */
  static final int MAX_EVENT_LINE_BYTES = 1 << 20;

  private static final int MAX_SMALL_FILE_BYTES = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataDir dir;
  private final URI base;

  /** Where {@link #base} came from, for "no node is running" messages. */
  private final String baseSource;

  private final String token;
  private final HttpClient http;

  private ApiClient(DataDir dir, URI base, String token) {
    this.dir = dir;
    this.base = base;
    // Without api.endpoint (a node that stopped cleanly removes it) the port is config.toml's,
    // which need not be the one a node was last run with (--api-port): say so.
    this.baseSource = Files.exists(dir.apiEndpointFile()) ? "" : ", the API port in config.toml";
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Finds the API of the node of {@code dir}; does not connect yet. */
  public static ApiClient open(DataDir dir) throws CliException {
    Path root = dir.path();
    if (!Files.isDirectory(root)) {
      throw new CliException(
          "no data directory at "
              + root
              + "; create one with `grapevine init"
              + dataDirFlag(dir)
              + "`, then start a node with `grapevine run"
              + dataDirFlag(dir)
              + "`",
          ExitCode.NO_NODE);
    }
    if (!Files.exists(dir.apiTokenFile())) {
      throw noNode(
          dir, " (no node ever ran there: " + dir.apiTokenFile().getFileName() + " is missing)");
    }
    String token;
    try {
      token = dir.apiToken(new ArrayList<>());
    } catch (IOException e) {
      throw new CliException(e.getMessage());
    }
    return new ApiClient(dir, endpoint(dir), token);
  }

  /** The running node's URL from {@code api.endpoint}, else from the configured port. */
  private static URI endpoint(DataDir dir) throws CliException {
    Path file = dir.apiEndpointFile();
    if (Files.exists(file)) {
      String text = readSmall(file).strip();
      if (!text.matches("http://(127\\.0\\.0\\.1|localhost|\\[::1\\]):[0-9]{1,5}/?")) {
        // The token goes wherever this points: refuse anything but loopback.
        throw new CliException(
            file
                + " does not hold a local API address (http://127.0.0.1:PORT); "
                + "delete it and restart the node");
      }
      return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }
    int port = NodeConfig.DEFAULT_API_PORT;
    if (Files.exists(dir.configFile())) {
      try {
        port = ConfigFile.read(dir.configFile(), dir.path()).api().port();
      } catch (ConfigException e) {
        throw new CliException(e.getMessage());
      }
    }
    if (port == 0) {
      throw noNode(dir, "");
    }
    return URI.create("http://127.0.0.1:" + port);
  }

  private static String readSmall(Path file) throws CliException {
    try {
      if (Files.size(file) > MAX_SMALL_FILE_BYTES) {
        throw new CliException(
            file + " is too large to be what it should; delete it and restart the node");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  static CliException noNode(DataDir dir, String why) {
    return new CliException(
        "no node is running for "
            + dir.path()
            + why
            + "; start one with `grapevine run"
            + dataDirFlag(dir)
            + "`",
        ExitCode.NO_NODE);
  }

  private static String dataDirFlag(DataDir dir) {
    return dir.path().equals(DataDir.defaultPath()) ? "" : " --data-dir " + dir.path();
  }

  public URI base() {
    return base;
  }

  public JsonNode get(String pathAndQuery) throws CliException {
    return send(request(pathAndQuery).GET());
  }

  public JsonNode post(String path, JsonNode body) throws CliException {
    return send(request(path).POST(json(body)).header("Content-Type", "application/json"));
  }

  public JsonNode put(String path, JsonNode body) throws CliException {
    return send(request(path).PUT(json(body)).header("Content-Type", "application/json"));
  }

  public JsonNode delete(String path) throws CliException {
    return send(request(path).DELETE());
  }

  /**
   * Streams {@code file} as the raw body of a POST to {@code path} ({@code /v1/media}): the file is
   * never read whole into memory, and the node caps what it takes.
   */
  public JsonNode upload(String path, Path file) throws CliException {
    HttpRequest.BodyPublisher body;
    try {
      body = HttpRequest.BodyPublishers.ofFile(file);
    } catch (java.io.FileNotFoundException e) {
      throw new CliException("cannot read " + file + ": no such file");
    }
    return send(
        request(path)
            .timeout(TRANSFER_TIMEOUT)
            .POST(body)
            .header("Content-Type", "application/octet-stream"));
  }

  /**
   * GETs {@code pathAndQuery} and streams a 200 answer's body into {@code out} (written to a
   * temporary file next to it, then moved, so a broken transfer leaves no partial file); returns
   * the bytes written. An error answer is read as JSON and thrown.
   */
  public long download(String pathAndQuery, Path out) throws CliException {
    HttpRequest req = request(pathAndQuery).timeout(TRANSFER_TIMEOUT).GET().build();
    HttpResponse<InputStream> r;
    try {
      r = exchange(req);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    Path parent = out.toAbsolutePath().getParent();
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw apiError(r.statusCode(), parse(readBounded(in, MAX_RESPONSE_BYTES)));
      }
      Path tmp = Files.createTempFile(parent, ".grapevine-download-", ".part");
      try {
        long n = Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return n;
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CliException("the download to " + out + " failed: " + e.getMessage());
    }
  }

  /** A path segment, percent-encoded (identities and ids are safe, but typed input may not be). */
  public static String segment(String s) {
    // Dots too: URI.resolve would otherwise fold a typed ".." into the path.
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace(".", "%2E");
  }

  /**
   * Reads {@code GET /v1/events} (server-sent events) and hands each entry to {@code onEntry} until
   * it returns false. {@code onOpen} runs once the stream is open, so that a caller can read a page
   * without missing what arrives meanwhile.
   *
   * @throws CliException when the stream cannot open, or ends because the node stopped
   */
  public void events(Runnable onOpen, Predicate<JsonNode> onEntry)
      throws CliException, InterruptedException {
    events("entry", onOpen, onEntry);
  }

  /**
   * {@link #events(Runnable, Predicate)} for the events named {@code eventName} ({@code entry},
   * {@code notification}).
   */
  public void events(String eventName, Runnable onOpen, Predicate<JsonNode> onEntry)
      throws CliException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("/v1/events"))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    HttpResponse<InputStream> r = exchange(req);
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw apiError(r.statusCode(), parse(readBounded(in, MAX_RESPONSE_BYTES)));
      }
      onOpen.run();
      SseReader sse = new SseReader(in, MAX_EVENT_LINE_BYTES);
      for (SseReader.Event e = sse.next(); e != null; e = sse.next()) {
        if (e.name().equals(eventName)
            && !onEntry.test(parse(e.data().getBytes(StandardCharsets.UTF_8)))) {
          return;
        }
      }
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException();
      }
      // On loopback a broken stream almost always means the node stopped.
      throw new CliException(
          "the node at " + base + " closed the event stream (did it stop?): " + e.getMessage(),
          ExitCode.NO_NODE);
    }
    throw new CliException(
        "the node at " + base + " closed the event stream (did it stop?)", ExitCode.NO_NODE);
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private static HttpRequest.BodyPublisher json(JsonNode body) {
    return HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8);
  }

  private JsonNode send(HttpRequest.Builder b) throws CliException {
    HttpResponse<InputStream> r;
    try {
      r = exchange(b.build());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    byte[] body;
    try (InputStream in = r.body()) {
      body = readBounded(in, MAX_RESPONSE_BYTES);
    } catch (IOException e) {
      throw new CliException("the node at " + base + " broke off its answer: " + e.getMessage());
    }
    JsonNode json = parse(body);
    if (r.statusCode() / 100 != 2) {
      throw apiError(r.statusCode(), json);
    }
    return json;
  }

  private HttpResponse<InputStream> exchange(HttpRequest req)
      throws CliException, InterruptedException {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw noNode(dir, " (nothing answers at " + base + baseSource + ")");
    } catch (HttpTimeoutException e) {
      throw new CliException(
          "the node at "
              + base
              + " did not answer within "
              + REQUEST_TIMEOUT.toSeconds()
              + " s; is it overloaded? see its log");
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException) {
        throw noNode(dir, " (nothing answers at " + base + baseSource + ")");
      }
      throw new CliException(
          "cannot talk to the node at "
              + base
              + ": "
              + e
              + " (is another program using that port?)");
    }
  }

  private CliException apiError(int status, JsonNode json) {
    JsonNode err = json.path("error");
    String code = err.path("code").asText("");
    String message = err.path("message").asText("");
    if (code.equals("unauthorized")) {
      return new CliException(
          "the node at "
              + base
              + " refused the token in "
              + dir.apiTokenFile()
              + "; is that port another data directory's node? restart this one with `grapevine run"
              + dataDirFlag(dir)
              + "`");
    }
    if (message.isEmpty()) {
      return new CliException(
          "the node at " + base + " answered HTTP " + status + " without an error message");
    }
    return new CliException(message + problemLines(err.path("problems")));
  }

  /**
   * An invalid feed's problems ({@code {"expression", "line", "column", "message"}} each), one a
   * line as a compiler prints them: {@code "\n filter:1:7: message"}; empty for none.
   */
  public static String problemLines(JsonNode problems) {
    StringBuilder b = new StringBuilder();
    for (JsonNode p : problems) {
      b.append("\n  ")
          .append(p.path("expression").asText())
          .append(':')
          .append(p.path("line").asLong())
          .append(':')
          .append(p.path("column").asLong())
          .append(": ")
          .append(p.path("message").asText());
    }
    return b.toString();
  }

  private JsonNode parse(byte[] body) throws CliException {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null) {
        throw new CliException("the node at " + base + " answered with an empty body");
      }
      return n;
    } catch (JacksonException e) {
      throw new CliException(
          "the node at "
              + base
              + " answered with something that is not JSON; "
              + "is another program using that port?");
    } catch (IOException e) {
      throw new CliException(
          "cannot read the answer of the node at " + base + ": " + e.getMessage());
    }
  }

  private byte[] readBounded(InputStream in, int max) throws IOException, CliException {
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      throw new CliException(
          "the answer of the node at "
              + base
              + " is larger than "
              + max
              + " bytes; ask for less (--limit)");
    }
    return bytes;
  }
}
