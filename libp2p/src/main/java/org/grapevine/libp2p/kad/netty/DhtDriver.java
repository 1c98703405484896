package org.grapevine.libp2p.kad.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtEvent;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;

/**
 * Drives one {@link Dht} over a {@link Host} on its own: the requests over {@link KadClient}, the
 * inbound streams over {@link KadInboundHandler} in server mode, identify into the routing table,
 * and the timer. For tools and tests that run a DHT without a node ({@code grapevine p2p dht}, the
 * js interop tests); the node drives its Dht through its core instead.
 *
 * <p>Threading: the Dht lives on {@code loop} (one event executor); every input hops there. Queries
 * are started with {@link #query} from any thread and complete with their {@link
 * DhtEvent.QueryDone} (and the providers found along the way).
 */
// Terminal callbacks hand both outcomes to the Dht; the timer is cancelled through its field.
@SuppressWarnings("FutureReturnValueIgnored")
public final class DhtDriver implements AutoCloseable {
  /** A finished query: its end, and every provider it reported. */
  public record Outcome(DhtEvent.QueryDone done, List<KadPeer> providers) {}

  private final Host host;
  private final Dht dht;
  private final EventExecutor loop;
  private final KadStreamConfig config;
  private final KadClient client;
  private final boolean server;
  private final Duration requestTimeout;
  private final Map<Long, CompletableFuture<Outcome>> waiting = new HashMap<>();
  private final Map<Long, List<KadPeer>> found = new HashMap<>();
  private ScheduledFuture<?> timer;
  private long timerAt;
  private volatile boolean closed;

  /**
   * @param server serve the DHT to others (list the protocol in identify) or only ask
   */
  public DhtDriver(
      Host host,
      Dht dht,
      EventExecutor loop,
      KadStreamConfig config,
      boolean server,
      Duration requestTimeout) {
    this.host = host;
    this.dht = dht;
    this.loop = loop;
    this.config = config;
    this.client = new KadClient(config, ByteBufAllocator.DEFAULT);
    this.server = server;
    this.requestTimeout = requestTimeout;
  }

  /** The Dht's time: {@link System#nanoTime}, as the Dht was made with. */
  public static long now() {
    return System.nanoTime();
  }

  /** Serves (server mode) and follows identify; call before dialling. */
  public void start() {
    if (server) {
      new KadInboundHandler(
              config,
              (from, request) -> {
                var reply = dht.handleRequest(from, request, now());
                drain();
                return reply;
              },
              loop,
              ByteBufAllocator.DEFAULT)
          .register(host);
    }
    host.addListener(
        new HostListener() {
          @Override
          public void onIdentified(Connection c, IdentifyResult identify) {
            List<Multiaddr> addrs = new ArrayList<>();
            for (byte[] raw : identify.listenAddrs()) {
              try {
                addrs.add(Multiaddr.decode(raw));
              } catch (MultiaddrFormatException e) {
                // Not one we could dial.
              }
            }
            boolean dhtServer = identify.protocols().contains(config.protocol());
            input(d -> d.handlePeerIdentified(c.remotePeer(), addrs, dhtServer, now()));
          }
        });
  }

  /** Runs {@code input} on the loop, then sends what the Dht wants sent. */
  public void input(java.util.function.Consumer<Dht> input) {
    loop.execute(
        () -> {
          if (!closed) {
            input.accept(dht);
            drain();
          }
        });
  }

  /**
   * Starts a query on the loop ({@code start} calls one of the Dht's query methods and returns its
   * id) and completes with its end.
   */
  public CompletableFuture<Outcome> query(ToLongFunction<Dht> start) {
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          long id = start.applyAsLong(dht);
          waiting.put(id, result);
          found.put(id, new ArrayList<>());
          drain();
        });
    return result;
  }

  /** A read of the Dht, on its loop. */
  public <T> CompletableFuture<T> read(java.util.function.Function<Dht, T> read) {
    CompletableFuture<T> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(read.apply(dht)));
    return out;
  }

  private void drain() {
    for (DhtRequest r = dht.pollRequest().orElse(null); r != null; ) {
      send(r);
      r = dht.pollRequest().orElse(null);
    }
    for (DhtEvent e = dht.pollEvent().orElse(null); e != null; ) {
      if (e instanceof DhtEvent.ProviderFound f && found.containsKey(f.query())) {
        found.get(f.query()).add(f.provider());
      } else if (e instanceof DhtEvent.QueryDone d && waiting.containsKey(d.query())) {
        waiting.remove(d.query()).complete(new Outcome(d, found.remove(d.query())));
      }
      for (DhtRequest r = dht.pollRequest().orElse(null); r != null; ) {
        send(r);
        r = dht.pollRequest().orElse(null);
      }
      e = dht.pollEvent().orElse(null);
    }
    arm();
  }

  private void send(DhtRequest r) {
    client
        .request(host, r.to(), r.message(), r.expectsResponse(), requestTimeout)
        .whenComplete(
            (answer, error) ->
                input(
                    d -> {
                      if (error == null) {
                        d.handleResponse(r.id(), answer, now());
                      } else {
                        d.handleFailure(r.id(), error.toString(), now());
                      }
                    }));
  }

  private void arm() {
    OptionalLong next = dht.pollTimeout();
    if (next.isEmpty() || closed || (timer != null && timerAt == next.getAsLong())) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerAt = next.getAsLong();
    timer =
        loop.schedule(
            () -> {
              timer = null;
              dht.handleTimeout(now());
              drain();
            },
            Math.max(0, timerAt - now()),
            TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    closed = true;
    loop.execute(
        () -> {
          if (timer != null) {
            timer.cancel(false);
          }
          waiting
              .values()
              .forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
          waiting.clear();
        });
  }
}
