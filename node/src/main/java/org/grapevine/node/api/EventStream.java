package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.grapevine.node.Node;
import org.grapevine.protocol.entry.LogEntry;

/**
 * {@code GET /v1/events}: server-sent events (WHATWG HTML "Server-sent events") of every entry the
 * node stores from then on, own or received:
 *
 * <pre>
 * event: entry
 * id: &lt;entry id hex&gt;
 * data: &lt;the entry's JSON on one line&gt;
 * </pre>
 *
 * and, for an entry that is a notification of this node's identity ({@link Notifications}), after
 * it:
 *
 * <pre>
 * event: notification
 * id: &lt;entry id hex&gt;
 * data: {"type": ..., "about": ..., "entry": &lt;the entry's JSON&gt;}
 * </pre>
 *
 * plus a comment line ({@code : keep-alive}) every {@link #KEEPALIVE_SECONDS} so idle proxies and
 * our own idle timeout leave the stream open. A client that does not keep up (its socket buffer
 * stays full) is disconnected rather than buffered without bound; it reconnects and reads the
 * timeline for what it missed.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which its close listener handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
final class EventStream implements AutoCloseable {
  static final long KEEPALIVE_SECONDS = 15;
  static final int MAX_CLIENTS = 32;

  private final Node node;
  private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
  private final Consumer<LogEntry> listener = this::broadcast;
  private final ScheduledFuture<?> keepalive;

  EventStream(Node node, EventExecutor timer) {
    this.node = node;
    node.addEntryListener(listener);
    this.keepalive =
        timer.scheduleAtFixedRate(
            () -> send(": keep-alive\n\n"), KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
  }

  int clients() {
    return clients.size();
  }

  boolean isStream(Channel ch) {
    return clients.contains(ch);
  }

  /**
   * Answers the request on {@code ctx} with the stream's headers and keeps the channel as a client.
   */
  void open(ChannelHandlerContext ctx) {
    if (clients.size() >= MAX_CLIENTS) {
      throw new ApiError(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "overloaded",
          "already " + MAX_CLIENTS + " event streams open; close one first");
    }
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    HttpUtil.setTransferEncodingChunked(r, true);
    Channel ch = ctx.channel();
    clients.add(ch);
    ch.closeFuture().addListener(f -> clients.remove(ch));
    ch.write(r);
    ch.writeAndFlush(content(": connected\n\n"));
  }

  private void broadcast(LogEntry e) {
    if (clients.isEmpty()) {
      return;
    }
    ObjectNode json = EntryJson.of(e, node.contentState(e));
    send("event: entry\nid: " + e.id().toHex() + "\ndata: " + json + "\n\n");
    Notifications.of(e, node.identity())
        .filter(
            n ->
                !node.store().isMuted(e.header().identity())
                    && !node.store().isBlocked(e.header().identity()))
        .ifPresent(
            n ->
                send(
                    "event: notification\nid: "
                        + e.id().toHex()
                        + "\ndata: "
                        + JsonNodeFactory.instance
                            .objectNode()
                            .put("type", n.type().key())
                            .put("about", n.about())
                            .set("entry", json)
                        + "\n\n"));
  }

  private void send(String text) {
    for (Channel ch : clients) {
      if (!ch.isWritable()) {
        ch.close(); // Too slow: its socket buffer is full. Never buffer without bound.
      } else {
        ch.writeAndFlush(content(text)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      }
    }
  }

  private static DefaultHttpContent content(String text) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    node.removeEntryListener(listener);
    keepalive.cancel(false);
    clients.forEach(Channel::close);
  }
}
