package org.grapevine.node.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may ask: a request with the bearer token (the CLI, scripts), or a browser's with the session
 * cookie that passes {@link WebGuard}'s checks. One instance per server, shared by the JSON routes
 * ({@link ApiHandler}) and the streamed media routes ({@link MediaHttp}), so both refuse alike.
 */
final class RequestAuth {
  private final byte[] expectedAuthorization;
  private final WebSessions sessions;

  RequestAuth(String token, WebSessions sessions) {
    this.expectedAuthorization = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.sessions = sessions;
  }

  /** Whether the request carries the bearer token. */
  boolean hasToken(HttpRequest req) {
    String given = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    // MessageDigest.isEqual takes time independent of where the bytes differ (JDK 6u17 and later).
    return given != null
        && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
  }

  /**
   * Passes a request with the token; otherwise checks it as a browser's: a valid session cookie, a
   * Host naming this node and, for a change, this node's Origin. Login links are made with the
   * token only.
   *
   * @throws ApiError unauthorized or forbidden, the caller's fault
   */
  void check(ChannelHandlerContext ctx, HttpRequest req, String method, String path) {
    if (hasToken(req)) {
      return;
    }
    if (!sessions.valid(sessionCookie(req), System.currentTimeMillis())) {
      throw ApiError.unauthorized();
    }
    int port = localPort(ctx);
    if (!WebGuard.hostAllowed(req.headers().get(HttpHeaderNames.HOST), port)) {
      throw new ApiError(
          HttpResponseStatus.FORBIDDEN,
          "forbidden_host",
          "the Host header does not name this node (127.0.0.1:" + port + ")");
    }
    if (!WebGuard.reads(method)
        && !WebGuard.originAllowed(req.headers().get(HttpHeaderNames.ORIGIN), port)) {
      throw new ApiError(
          HttpResponseStatus.FORBIDDEN,
          "forbidden_origin",
          "a change from a browser must come from this node's own page (Origin http://127.0.0.1:"
              + port
              + ")");
    }
    if (path.equals(WebRoutes.LOGIN_LINKS)) {
      throw ApiError.forbidden("login links are made with the API token (grapevine open)");
    }
  }

  static String sessionCookie(HttpRequest req) {
    String header = req.headers().get(HttpHeaderNames.COOKIE);
    if (header == null) {
      return null;
    }
    for (io.netty.handler.codec.http.cookie.Cookie c :
        io.netty.handler.codec.http.cookie.ServerCookieDecoder.STRICT.decode(header)) {
      if (c.name().equals(WebSessions.COOKIE)) {
        return c.value();
      }
    }
    return null;
  }

  static int localPort(ChannelHandlerContext ctx) {
    return ((java.net.InetSocketAddress) ctx.channel().localAddress()).getPort();
  }
}
