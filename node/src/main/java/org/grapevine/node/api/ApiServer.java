package org.grapevine.node.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.node.Node;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.metrics.Counter;

/**
 * The local HTTP/JSON API (docs/API.md) on 127.0.0.1 only: Netty's HTTP codec and aggregator
 * (bounded lines, headers and bodies), an idle timeout, a connection limit, a bearer token, and a
 * few worker threads for the routes, which block on the store.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which its close listener handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
public final class ApiServer implements AutoCloseable {
  public static final int MAX_BODY_BYTES = 64 * 1024;
  public static final int MAX_CONNECTIONS = 64;
  public static final int IDLE_SECONDS = 60;
  private static final int MAX_INITIAL_LINE_BYTES = 4096;
  private static final int MAX_HEADER_BYTES = 8192;
  private static final int WORKERS = 4;
  private static final int QUEUED_REQUESTS = 256;

  private final Channel server;
  private final ChannelGroup channels;
  private final EventStream events;
  private final ThreadPoolExecutor workers;

  private ApiServer(
      Channel server, ChannelGroup channels, EventStream events, ThreadPoolExecutor workers) {
    this.server = server;
    this.channels = channels;
    this.events = events;
    this.workers = workers;
  }

  /**
   * Binds 127.0.0.1:{@code port} (0 = a free port) and serves {@code node}.
   *
   * @param token the bearer token clients must send (the content of {@code api.token})
   * @throws IOException if the port cannot be bound (for example another node uses it)
   */
  public static ApiServer start(Node node, int port, String token, EventLoopGroup group)
      throws IOException {
    return start(node, port, token, group, null, null);
  }

  /**
   * As {@link #start(Node, int, String, EventLoopGroup)}, with what the web app's settings show:
   * the node's configuration (mesh key, budgets) and its root key file (the recovery phrase, behind
   * the passphrase); either may be null.
   */
  public static ApiServer start(
      Node node,
      int port,
      String token,
      EventLoopGroup group,
      NodeConfig config,
      java.nio.file.Path rootKeyFile)
      throws IOException {
    Counter requests =
        node.metrics()
            .counter(
                "grapevine_api_requests_total",
                "Local API requests, by route template, method and HTTP status.",
                "route",
                "method",
                "status");
    EventStream events = new EventStream(node, group.next());
    node.metrics()
        .gauge(
            "grapevine_api_event_streams", "Open event streams (GET /v1/events).", events::clients);
    Router router = new Router();
    new NodeRoutes(node, events).register(router);
    new ApiRoutes(node).register(router);
    new PeerRoutes(node).register(router);
    NotificationRoutes notifications = new NotificationRoutes(node);
    notifications.register(router);
    new SearchRoutes(node).register(router);
    new FeedRoutes(node).register(router);
    WebSessions sessions = new WebSessions(new java.security.SecureRandom());
    RequestAuth auth = new RequestAuth(token, sessions);
    AtomicInteger boundPort = new AtomicInteger(port);
    new WebRoutes(
            node,
            sessions,
            boundPort::get,
            System::currentTimeMillis,
            config,
            rootKeyFile,
            notifications)
        .register(router);
    router.add(
        "GET",
        "/v1/events",
        q -> {
          throw new IllegalStateException("the event stream is opened by the handler");
        });
    AtomicInteger threadIds = new AtomicInteger();
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUED_REQUESTS),
            r -> {
              Thread t = new Thread(r, "grapevine-api-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    workers.allowCoreThreadTimeOut(true);
    ChannelGroup channels = new DefaultChannelGroup("grapevine-api", group.next());
    ConnectionLimit limit = new ConnectionLimit(MAX_CONNECTIONS);
    ChannelFuture bound =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    channels.add(ch);
                    ApiHandler handler =
                        new ApiHandler(router, auth, workers, events, requests, sessions);
                    ch.pipeline()
                        .addLast(limit)
                        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(
                            new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                        // Media bodies are streamed, not aggregated (MediaHttp).
                        .addLast(new ChunkedWriteHandler())
                        .addLast(new MediaHttp(node.media(), auth, handler, workers, requests))
                        .addLast(new JsonErrorAggregator(handler))
                        .addLast(handler);
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      events.close();
      workers.shutdownNow();
      throw new IOException(
          "the local API cannot listen on 127.0.0.1:"
              + port
              + ": "
              + bound.cause().getMessage()
              + (port != 0
                  ? " (is another node running? set [api] port in config.toml, or 0 for any free port)"
                  : ""),
          bound.cause());
    }
    boundPort.set(((InetSocketAddress) bound.channel().localAddress()).getPort());
    return new ApiServer(bound.channel(), channels, events, workers);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String url() {
    return "http://127.0.0.1:" + address().getPort();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    events.close();
    channels.close().awaitUninterruptibly();
    workers.shutdownNow();
  }

  /** Closes connections beyond the limit as soon as they are accepted. */
  @ChannelHandler.Sharable
  private static final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(int max) {
      this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      if (open.incrementAndGet() > max) {
        ctx.close();
        return;
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      open.decrementAndGet();
      super.channelInactive(ctx);
    }
  }

  /** The aggregator with a JSON {@code too_large} answer instead of Netty's empty 413. */
  private static final class JsonErrorAggregator extends HttpObjectAggregator {
    private final ApiHandler handler;
    private final Linger linger = new Linger();

    JsonErrorAggregator(ApiHandler handler) {
      super(MAX_BODY_BYTES);
      this.handler = handler;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      String path =
          oversized instanceof io.netty.handler.codec.http.HttpRequest req
              ? new io.netty.handler.codec.http.QueryStringDecoder(req.uri()).path()
              : "-";
      FullHttpResponse r = handler.error(ApiError.tooLarge(MAX_BODY_BYTES), path);
      handler.respondThen(ctx, r, "-", "other", linger.start(ctx));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (linger.on()) {
        linger.drop(ctx, msg); // the rest of the oversized body, or a request after it
      } else {
        super.channelRead(ctx, msg);
      }
    }
  }
}
