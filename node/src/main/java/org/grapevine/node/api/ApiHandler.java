package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.grapevine.node.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty side of the API, per connection: checks the bearer token (in constant time), routes,
 * hands the route to a worker thread (routes block on the store and the storage thread; the event
 * loop must not) and writes the answer back. One request at a time per connection: reading pauses
 * until the answer is written, so pipelined requests are answered in order.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which its close listener handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  private static final String EVENTS = "/v1/events";

  /** The pages' policy: scripts, styles and images from the node itself only, none inline. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private final Router router;
  private final RequestAuth auth;
  private final Executor workers;
  private final EventStream events;
  private final Counter requests;
  private final WebSessions sessions;

  ApiHandler(
      Router router,
      RequestAuth auth,
      Executor workers,
      EventStream events,
      Counter requests,
      WebSessions sessions) {
    this.router = router;
    this.auth = auth;
    this.workers = workers;
    this.events = events;
    this.requests = requests;
    this.sessions = sessions;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (events.isStream(ctx.channel())) {
      return; // An event stream's client has nothing more to say; whatever it sends is dropped.
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String method = req.method().name();
    String path;
    Router.Match match;
    try {
      if (req.decoderResult().isFailure()) {
        throw ApiError.badRequest(
            "not a valid HTTP request: " + req.decoderResult().cause().getMessage());
      }
      path = new QueryStringDecoder(req.uri()).path();
      if (path.equals("/login") && method.equals("GET")) {
        login(ctx, req, keepAlive);
        return;
      }
      if ((path.startsWith(WebAssets.PREFIX) || path.equals(WebAssets.FAVICON))
          && method.equals("GET")) {
        // The app's script and stylesheet are no secret: the sign-in page uses them too.
        respond(ctx, asset(ctx, req, path), WebAssets.PREFIX, method, keepAlive);
        return;
      }
      auth.check(ctx, req, method, path);
      match = router.match(method, path);
    } catch (ApiError e) {
      // Wrong token or broken HTTP: close. A wrong path or method: the connection stays usable.
      boolean stay =
          keepAlive && !req.decoderResult().isFailure() && !e.code().equals("unauthorized");
      String at = new QueryStringDecoder(req.uri()).path();
      FullHttpResponse r =
          web(at) && e.code().equals("unauthorized")
              ? html(
                  401,
                  WebLayout.plain(
                      "Sign in",
                      "<h1>Sign in</h1>\n<p>Run <code>grapevine open</code> on this machine: it"
                          + " prints a link that signs this browser in.</p>"))
              : error(e, at);
      respond(ctx, r, "-", method, stay);
      return;
    } catch (IllegalArgumentException e) { // Bad percent-encoding in the path.
      respond(
          ctx,
          error(ApiError.badRequest("bad request path: " + e.getMessage()), req.uri()),
          "-",
          method,
          false);
      return;
    }
    String route = match.route().template();
    if (route.equals(EVENTS)) {
      try {
        events.open(ctx);
        requests.inc(route, method, "200");
      } catch (ApiError e) {
        respond(ctx, error(e, path), route, method, false);
      }
      return;
    }
    ApiRequest request =
        new ApiRequest(
            method,
            path,
            match.params(),
            new QueryStringDecoder(req.uri()).parameters(),
            ByteBufUtil.getBytes(req.content()));
    ctx.channel().config().setAutoRead(false);
    try {
      workers.execute(
          () -> {
            FullHttpResponse r = run(match.route(), request);
            ctx.executor().execute(() -> respond(ctx, r, route, method, keepAlive));
          });
    } catch (RejectedExecutionException busy) {
      respond(ctx, error(ApiError.overloaded(), path), route, method, false);
    }
  }

  /** On a worker: the route's answer, or its failure as an error answer. */
  private FullHttpResponse run(Router.Route route, ApiRequest request) {
    try {
      ApiResponse r = route.handler().handle(request);
      if (r.json() != null) {
        return response(r.status().code(), r.json().toString(), "application/json");
      }
      FullHttpResponse out = response(r.status().code(), r.text(), r.contentType());
      if (r.location() != null) {
        out.headers().set(HttpHeaderNames.LOCATION, r.location());
      }
      return out;
    } catch (ApiError e) {
      return error(e, request.path());
    } catch (org.grapevine.node.core.WriteRefusedException e) {
      return error(ApiError.refused(e), request.path());
    } catch (IllegalArgumentException e) {
      // The node refused an argument the route did not check itself: the caller's fault, say why.
      return error(ApiError.badRequest(e.getMessage()), request.path());
    } catch (org.grapevine.node.DeviceNotDelegatedException e) {
      return error(ApiError.deviceNotDelegated(e), request.path());
    } catch (RuntimeException | Error e) {
      log.warn("API {} {} failed", request.method(), route.template(), e);
      return error(ApiError.internal(), request.path());
    }
  }

  /**
   * {@code GET /login?t=TOKEN}: a one-time link from {@code grapevine open}. Used once and in time,
   * it sets the session cookie (HttpOnly: no script reads it; SameSite=Strict: no other site's
   * request carries it) and sends the browser to the home page.
   */
  private void login(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
    int port = RequestAuth.localPort(ctx);
    FullHttpResponse r;
    if (!WebGuard.hostAllowed(req.headers().get(HttpHeaderNames.HOST), port)) {
      r =
          html(
              403,
              WebLayout.plain(
                  "Refused",
                  "<h1>Refused</h1>\n<p>Open the link as printed, with 127.0.0.1 or localhost.</p>"));
    } else {
      List<String> t = new QueryStringDecoder(req.uri()).parameters().get("t");
      java.util.Optional<String> session =
          sessions.redeem(t == null || t.size() != 1 ? null : t.get(0), System.currentTimeMillis());
      if (session.isEmpty()) {
        r =
            html(
                401,
                WebLayout.plain(
                    "Link used",
                    "<h1>Link used</h1>\n<p>This login link was used already or has expired. Run <code>grapevine"
                        + " open</code> for a new one.</p>"));
      } else {
        r = response(303, "", "text/plain");
        r.headers()
            .set(HttpHeaderNames.LOCATION, "/")
            .set(
                HttpHeaderNames.SET_COOKIE,
                WebSessions.COOKIE
                    + "="
                    + session.get()
                    + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                    + WebSessions.SESSION_TTL_MILLIS / 1000);
      }
    }
    respond(ctx, r, "/login", "GET", keepAlive);
  }

  /** A static asset of the app, for a request naming this node as its Host. */
  private FullHttpResponse asset(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    if (!WebGuard.hostAllowed(
        req.headers().get(HttpHeaderNames.HOST), RequestAuth.localPort(ctx))) {
      return error(
          new ApiError(
              io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN,
              "forbidden_host",
              "the Host header does not name this node"),
          path);
    }
    if (path.equals(WebAssets.FAVICON)) {
      return response(204, "", "image/x-icon");
    }
    return WebAssets.get(path)
        .map(a -> response(200, a.text(), a.contentType()))
        .orElseGet(() -> error(ApiError.notFound("no such file: " + path), path));
  }

  private static FullHttpResponse html(int status, String page) {
    return response(status, page, "text/html");
  }

  /** Writes {@code r}, counted; keeps the connection reading if kept alive, else closes it. */
  void respond(
      ChannelHandlerContext ctx,
      FullHttpResponse r,
      String route,
      String method,
      boolean keepAlive) {
    if (keepAlive) {
      requests.inc(route, knownMethod(method), Integer.toString(r.status().code()));
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      ctx.channel().config().setAutoRead(true);
    } else {
      respondThen(ctx, r, route, method, ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Answers with {@code Connection: close} and leaves closing to {@code then}, run when the answer
   * is written (a refused upload half-closes first: {@code MediaHttp}).
   */
  void respondThen(
      ChannelHandlerContext ctx,
      FullHttpResponse r,
      String route,
      String method,
      ChannelFutureListener then) {
    requests.inc(route, knownMethod(method), Integer.toString(r.status().code()));
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(r).addListener(then);
  }

  /** The first path segments of the web app's pages, forms and files ("" is {@code /}). */
  private static final java.util.Set<String> WEB_SEGMENTS =
      java.util.Set.of(
          "",
          "login",
          "compose",
          "thread",
          "me",
          "people",
          "notifications",
          "search",
          "peers",
          "settings",
          "feeds",
          "web",
          "static");

  /**
   * Whether {@code path} is the web app's (its errors are pages) rather than the API's: every other
   * path, unknown ones included, answers errors in JSON as docs/API.md says.
   */
  static boolean web(String path) {
    int end = path.indexOf('/', 1);
    return path.startsWith("/")
        && WEB_SEGMENTS.contains(end < 0 ? path.substring(1) : path.substring(1, end));
  }

  FullHttpResponse error(ApiError e, String path) {
    if (web(path) && !e.code().equals("unauthorized")) {
      FullHttpResponse r =
          html(
              e.status().code(),
              WebLayout.plain(
                  "Error",
                  "<h1>That did not work</h1>\n<p>"
                      + WebGuard.escape(e.getMessage())
                      + " <span class=\"muted\">("
                      + WebGuard.escape(e.code())
                      + ")</span></p>\n"
                      + (e.problems() == null
                          ? ""
                          : WebFeeds.problems("Problems:", e.problems(), false))
                      + "<p><a href=\"/\">Home</a></p>"));
      if (e.code().equals("method_not_allowed")) {
        r.headers().set(HttpHeaderNames.ALLOW, String.join(", ", router.allowed(path)));
      }
      return r;
    }
    ObjectNode err =
        JsonNodeFactory.instance.objectNode().put("code", e.code()).put("message", e.getMessage());
    if (e.candidates() >= 0) {
      err.put("candidates", e.candidates());
    }
    if (e.problems() != null) {
      err.set("problems", e.problems());
    }
    FullHttpResponse r =
        response(
            e.status().code(),
            JsonNodeFactory.instance.objectNode().set("error", err).toString(),
            "application/json");
    if (e.code().equals("unauthorized")) {
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    } else if (e.code().equals("method_not_allowed")) {
      r.headers().set(HttpHeaderNames.ALLOW, String.join(", ", router.allowed(path)));
    }
    return r;
  }

  static FullHttpResponse response(int status, String body, String contentType) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpResponseStatus.valueOf(status),
            Unpooled.wrappedBuffer(bytes));
    r.headers()
        .set(
            HttpHeaderNames.CONTENT_TYPE,
            contentType.contains("charset") ? contentType : contentType + "; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        // Every answer may reach a browser: nothing inline, nothing from elsewhere, no framing.
        .set("Content-Security-Policy", CSP)
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with the
        // page's own form posts (Fetch, "append a request Origin header"), which the Origin check
        // must refuse.
        .set("Referrer-Policy", "same-origin");
    return r;
  }

  private static String knownMethod(String m) {
    return List.of("GET", "POST", "PUT", "DELETE").contains(m) ? m : "other";
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close(); // Idle too long: free the connection slot.
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("API connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
