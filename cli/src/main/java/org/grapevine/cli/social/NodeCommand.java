package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.client.ClientOptions;
import org.grapevine.cli.p2p.CliException;
import picocli.CommandLine.Mixin;

/**
 * A command that talks to the running node of a data directory: {@code --data-dir}, {@code --json},
 * one API call or a few, then either the API's JSON or lines for people.
 */
abstract class NodeCommand implements Callable<Integer> {
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Mixin ClientOptions options;

  @Override
  public Integer call() throws Exception {
    check();
    run(options.client());
    System.out.flush();
    return 0;
  }

  /** Checks the arguments before a node is looked for, so a typing mistake is named first. */
  void check() throws CliException {}

  abstract void run(ApiClient api) throws CliException, InterruptedException;

  /** The API's JSON with {@code --json}, else {@code human}. */
  void print(JsonNode json, String human) {
    System.out.println(options.json() ? json.toString() : human);
  }

  /**
   * A list of strings from the API's {@code field}: with {@code --json} the API's object, else one
   * item a line (so {@code | wc -l} counts), and {@code empty} on stderr when there is none.
   */
  void printList(JsonNode r, String field, String empty) {
    if (options.json()) {
      System.out.println(r);
    } else if (r.path(field).isEmpty()) {
      System.err.println(empty);
    } else {
      r.path(field).forEach(i -> System.out.println(i.asText()));
    }
  }

  /** What a live command prints first, once its event stream is open. */
  interface Page {
    void print() throws CliException;
  }

  /**
   * Live output until Ctrl-C: opens the node's event stream, prints {@code page} once it is open
   * (so nothing falls between the page and the stream), then hands each event named {@code event}
   * to {@code onEvent}, which prints what it shows and says whether it showed anything. Stops after
   * {@code maxEvents} shown (0: never). A page that fails ends it with that error.
   */
  void live(ApiClient api, String event, Page page, Predicate<JsonNode> onEvent, int maxEvents)
      throws CliException, InterruptedException {
    AtomicReference<CliException> failed = new AtomicReference<>();
    AtomicInteger shown = new AtomicInteger();
    api.events(
        event,
        () -> {
          try {
            page.print();
          } catch (CliException e) {
            failed.set(e);
          }
          System.out.flush();
        },
        e -> {
          if (failed.get() != null) {
            return false;
          }
          if (!onEvent.test(e)) {
            return true;
          }
          System.out.flush();
          return maxEvents <= 0 || shown.incrementAndGet() < maxEvents;
        });
    if (failed.get() != null) {
      throw failed.get();
    }
  }

  static ObjectNode object() {
    return F.objectNode();
  }

  static long now() {
    return System.currentTimeMillis();
  }
}
