package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedStream;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.grapevine.node.MediaRefusedException;
import org.grapevine.node.NodeMedia;
import org.grapevine.node.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media routes (docs/API.md "Media"), streamed rather than aggregated like the JSON routes:
 *
 * <ul>
 *   <li>{@code POST /v1/media}: the raw bytes of a file as the body, written to a temporary file as
 *       they arrive (never held in memory), refused with 413 as soon as they pass the node's cap
 *       for one attachment; then added ({@link NodeMedia#add}: type sniffed, image metadata
 *       stripped, stored under its CID) and answered {@code 201} with its JSON;
 *   <li>{@code GET /v1/media/{cid}} (and {@code /media/{cid}} for the web app's {@code <img>}): the
 *       file, from this node or fetched from peers first ({@code ?wait=SECONDS}, default 60, at
 *       most 600), streamed from the store.
 * </ul>
 *
 * Every other request passes through untouched to the aggregator and {@link ApiHandler}. Sits after
 * the HTTP codec; the responses it streams need a {@code ChunkedWriteHandler} before it.
 */
// Futures of close() and write() are not awaited, as in ApiHandler.
@SuppressWarnings("FutureReturnValueIgnored")
final class MediaHttp extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(MediaHttp.class);

  static final String API = "/v1/media";
  static final String WEB = "/media/";
  static final String ROUTE_UPLOAD = "/v1/media";
  static final String ROUTE_DOWNLOAD = "/v1/media/{cid}";
  static final int DEFAULT_WAIT_SECONDS = 60;
  static final int MAX_WAIT_SECONDS = 600;
  private static final int CHUNK_BYTES = 64 * 1024;

  private enum State {
    IDLE,
    PASSING,
    UPLOADING,
    /** The request is answered (or being answered); what remains of its body is dropped. */
    DRAINING,
    /** A refused upload was answered; what still comes of its body is dropped ({@link Linger}). */
    LINGERING
  }

  private final Linger linger = new Linger();

  private final NodeMedia media;
  private final RequestAuth auth;
  private final ApiHandler handler;
  private final Executor workers;
  private final Counter requests;

  private State state = State.IDLE;
  private Upload upload;

  MediaHttp(
      NodeMedia media, RequestAuth auth, ApiHandler handler, Executor workers, Counter requests) {
    this.media = media;
    this.auth = auth;
    this.handler = handler;
    this.workers = workers;
    this.requests = requests;
  }

  /** A body being written to its temporary file. */
  private static final class Upload {
    final Path file;
    final FileChannel out;
    final boolean keepAlive;
    long bytes;

    Upload(Path file, FileChannel out, boolean keepAlive) {
      this.file = file;
      this.out = out;
      this.keepAlive = keepAlive;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req && state == State.IDLE) {
      String path;
      try {
        path = new QueryStringDecoder(req.uri()).path();
      } catch (IllegalArgumentException e) {
        path = "";
      }
      String method = req.method().name();
      boolean upload = path.equals(API) && method.equals("POST");
      boolean download =
          (path.startsWith(API + "/") || path.startsWith(WEB))
              && (method.equals("GET") || method.equals("HEAD"));
      if (req.decoderResult().isFailure() || !(upload || download)) {
        state = State.PASSING;
      } else {
        try {
          auth.check(ctx, req, method, path);
          if (upload) {
            startUpload(req);
          } else {
            state = State.DRAINING;
            download(ctx, req, path, method.equals("HEAD"));
          }
        } catch (ApiError e) {
          if (upload) {
            refuseUpload(ctx, e);
          } else {
            state = State.DRAINING;
            fail(ctx, e, path, ROUTE_DOWNLOAD, method, false);
          }
        }
      }
    }
    switch (state) {
      case PASSING -> {
        if (msg instanceof LastHttpContent) {
          state = State.IDLE;
        }
        ctx.fireChannelRead(msg);
      }
      case UPLOADING -> {
        try {
          if (msg instanceof HttpContent c) {
            write(ctx, c);
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }
      case DRAINING -> {
        if (msg instanceof LastHttpContent) {
          state = State.IDLE;
        }
        ReferenceCountUtil.release(msg);
      }
      case LINGERING -> linger.drop(ctx, msg);
      case IDLE -> ctx.fireChannelRead(msg);
    }
  }

  /**
   * Answers a refused upload and closes its connection without a reset: the answer is written, the
   * output half-closed, and the rest of the body read and dropped ({@link State#LINGERING}).
   */
  private void refuseUpload(ChannelHandlerContext ctx, ApiError e) {
    state = State.LINGERING;
    handler.respondThen(ctx, handler.error(e, API), ROUTE_UPLOAD, "POST", linger.start(ctx));
  }

  private void startUpload(HttpRequest req) {
    long cap = media.maxUploadBytes();
    long declared = HttpUtil.getContentLength(req, -1L);
    if (declared > cap) {
      throw tooLarge(cap);
    }
    Path file;
    FileChannel out;
    try {
      Files.createDirectories(media.incomingDir());
      file = Files.createTempFile(media.incomingDir(), "upload-", ".part");
      out = FileChannel.open(file, StandardOpenOption.WRITE);
    } catch (IOException e) {
      log.warn("cannot write an upload under {}", media.incomingDir(), e);
      throw ApiError.internal();
    }
    upload = new Upload(file, out, HttpUtil.isKeepAlive(req));
    state = State.UPLOADING;
  }

  private static ApiError tooLarge(long cap) {
    return new ApiError(
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "too_large",
        "the file is over this node's cap for one attachment, "
            + cap
            + " bytes ([budgets] attachment_max_bytes)");
  }

  private void write(ChannelHandlerContext ctx, HttpContent c) {
    Upload u = upload;
    ByteBuf b = c.content();
    u.bytes += b.readableBytes();
    try {
      if (u.bytes > media.maxUploadBytes()) {
        throw tooLarge(media.maxUploadBytes());
      }
      while (b.isReadable()) {
        b.readBytes(u.out, b.readableBytes());
      }
    } catch (IOException e) {
      log.warn("cannot write an upload to {}", u.file, e);
      abortUpload(ctx, ApiError.internal(), c instanceof LastHttpContent);
      return;
    } catch (ApiError e) {
      abortUpload(ctx, e, c instanceof LastHttpContent);
      return;
    }
    if (c instanceof LastHttpContent) {
      finishUpload(ctx, u);
    }
  }

  private void abortUpload(ChannelHandlerContext ctx, ApiError e, boolean bodyEnded) {
    discard(upload);
    upload = null;
    if (bodyEnded) {
      state = State.IDLE;
      fail(ctx, e, API, ROUTE_UPLOAD, "POST", false);
    } else {
      refuseUpload(ctx, e);
    }
  }

  private void finishUpload(ChannelHandlerContext ctx, Upload u) {
    upload = null;
    state = State.IDLE;
    try {
      u.out.close();
    } catch (IOException e) {
      discard(u);
      fail(ctx, ApiError.internal(), API, ROUTE_UPLOAD, "POST", false);
      return;
    }
    ctx.channel().config().setAutoRead(false);
    try {
      workers.execute(
          () -> {
            FullHttpResponse r;
            try {
              NodeMedia.Added added = media.add(u.file);
              r = ApiHandler.response(201, addedJson(added).toString(), "application/json");
            } catch (MediaRefusedException e) {
              r = handler.error(refused(e), API);
            } catch (RuntimeException e) {
              log.warn("adding an upload failed", e);
              r = handler.error(ApiError.internal(), API);
            } finally {
              discard(u);
            }
            FullHttpResponse answer = r;
            ctx.executor()
                .execute(() -> handler.respond(ctx, answer, ROUTE_UPLOAD, "POST", u.keepAlive));
          });
    } catch (RejectedExecutionException busy) {
      discard(u);
      fail(ctx, ApiError.overloaded(), API, ROUTE_UPLOAD, "POST", false);
    }
  }

  static ObjectNode addedJson(NodeMedia.Added a) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("cid", a.cid())
        .put("hash", a.hashHex())
        .put("codec", a.codec())
        .put("size", a.size())
        .put("media_type", a.mediaType())
        .put("stripped", a.stripped());
  }

  private static void discard(Upload u) {
    if (u == null) {
      return;
    }
    try {
      u.out.close();
      Files.deleteIfExists(u.file);
    } catch (IOException e) {
      log.warn("cannot delete the upload {}", u.file, e);
    }
  }

  /**
   * Opens the file ({@link NodeMedia#open}: at once when held, else when peers delivered it) and
   * streams it. No worker waits meanwhile: a page of pictures being fetched holds no thread.
   */
  private void download(ChannelHandlerContext ctx, HttpRequest req, String path, boolean head) {
    String cid = path.substring(path.startsWith(WEB) ? WEB.length() : API.length() + 1);
    Duration wait = Duration.ofSeconds(waitSeconds(req));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String method = head ? "HEAD" : "GET";
    ctx.channel().config().setAutoRead(false);
    media
        .open(cid, wait)
        .whenComplete(
            (file, failure) ->
                ctx.executor()
                    .execute(
                        () -> {
                          if (failure == null) {
                            stream(ctx, file, head, keepAlive, method);
                            return;
                          }
                          Throwable t =
                              failure instanceof java.util.concurrent.CompletionException
                                  ? failure.getCause()
                                  : failure;
                          ApiError err;
                          if (t instanceof MediaRefusedException e) {
                            err = refused(e);
                          } else {
                            log.warn("opening {} failed", cid, t);
                            err = ApiError.internal();
                          }
                          fail(ctx, err, path, ROUTE_DOWNLOAD, method, keepAlive);
                        }));
  }

  private static long waitSeconds(HttpRequest req) {
    List<String> w = new QueryStringDecoder(req.uri()).parameters().get("wait");
    if (w == null || w.size() != 1) {
      return DEFAULT_WAIT_SECONDS;
    }
    try {
      long s = Long.parseLong(w.get(0));
      if (s < 0 || s > MAX_WAIT_SECONDS) {
        throw ApiError.badRequest("wait must be 0 to " + MAX_WAIT_SECONDS + " seconds");
      }
      return s;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("wait must be a number of seconds, not " + w.get(0));
    }
  }

  private void stream(
      ChannelHandlerContext ctx,
      NodeMedia.Opened file,
      boolean head,
      boolean keepAlive,
      String method) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    boolean image = file.mediaType().startsWith("image/");
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, file.mediaType())
        .set(HttpHeaderNames.CONTENT_LENGTH, file.size())
        // Named by its hash: the bytes behind a CID never change.
        .set(HttpHeaderNames.CACHE_CONTROL, "private, max-age=31536000, immutable")
        .set("Content-Security-Policy", "default-src 'none'; sandbox")
        .set("X-Content-Type-Options", "nosniff")
        .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : "close");
    if (!image) {
      // Anything but a picture is saved, never rendered as a page of this node's origin.
      r.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment");
    }
    requests.inc(ROUTE_DOWNLOAD, method, "200");
    ctx.write(r);
    ChannelFuture done;
    if (head) {
      closeQuietly(file.in());
      done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    } else {
      done =
          ctx.writeAndFlush(
              new io.netty.handler.codec.http.HttpChunkedInput(
                  new ChunkedStream(file.in(), CHUNK_BYTES)));
      done.addListener(f -> closeQuietly(file.in()));
    }
    if (keepAlive) {
      done.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      ctx.channel().config().setAutoRead(true);
    } else {
      done.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      log.debug("closing a media stream", e);
    }
  }

  /** A refusal as the API's error: 4xx when the request was wrong, else what the network lacked. */
  static ApiError refused(MediaRefusedException e) {
    HttpResponseStatus status =
        switch (e.code()) {
          case BAD_CID, BAD_FILE -> HttpResponseStatus.BAD_REQUEST;
          case TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
          case UNKNOWN, NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
          case OVER_BUDGET -> HttpResponseStatus.INSUFFICIENT_STORAGE;
          case TIMED_OUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
          case BUSY -> HttpResponseStatus.SERVICE_UNAVAILABLE;
          case STORAGE -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    return new ApiError(status, e.code().key(), e.getMessage());
  }

  private void fail(
      ChannelHandlerContext ctx,
      ApiError e,
      String path,
      String route,
      String method,
      boolean keepAlive) {
    handler.respond(ctx, handler.error(e, path), route, method, keepAlive);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    discard(upload);
    upload = null;
    super.channelInactive(ctx);
  }
}
