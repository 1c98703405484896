package org.grapevine.libp2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multistream.MultistreamConfig;
import org.grapevine.libp2p.multistream.MultistreamNegotiator;
import org.grapevine.libp2p.multistream.netty.MultistreamHandler;
import org.grapevine.libp2p.multistream.netty.NegotiationFailed;
import org.grapevine.libp2p.noise.NoiseConfig;
import org.grapevine.libp2p.noise.NoiseRole;
import org.grapevine.libp2p.noise.netty.NoiseHandler;
import org.grapevine.libp2p.noise.netty.NoiseHandshakeCompleted;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.pnet.netty.PnetHandler;
import org.grapevine.libp2p.relay.RelayLimit;
import org.grapevine.libp2p.yamux.YamuxConfig;
import org.grapevine.libp2p.yamux.netty.YamuxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one connection's pipeline and watches it until it is a usable {@link Connection} (libp2p
 * connections/README.md):
 *
 * <pre>
 *   TCP ─ [pnet] ─ multistream "/noise" ─ Noise XX ─ (early muxer | multistream "/yamux/1.0.0") ─ Yamux
 * </pre>
 *
 * Each layer installs the next one when it is done (the multistream handler through its {@code
 * NextLayer}, Noise through the {@link NoiseHandshakeCompleted} event this handler receives). This
 * handler stays last in the pipeline: it learns why an upgrade failed (timeout, negotiation
 * failure, exceptions) so that a dial fails with a message a person can act on.
 *
 * <p>The channel is a TCP socket, or a {@link StreamChannel} over a relay circuit's stream (then
 * the connection's addresses are the circuit's, and it carries the relay's limit).
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which channelInactive handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
final class ConnectionUpgrader extends ChannelInboundHandlerAdapter {
  static final String NOISE = "/noise";
  static final String YAMUX = "/yamux/1.0.0";
  private static final int MAX_NOISE_PLAINTEXT = 65519;
  private static final Logger log = LoggerFactory.getLogger(ConnectionUpgrader.class);

  private final Host host;
  private final Connection.Direction direction;
  private final Optional<PeerId> expected;
  private final Multiaddr dialed;
  private final CompletableFuture<Connection> result;
  private final Multiaddr circuitAddr;
  private final RelayLimit relayLimit;
  private Channel channel;
  private ScheduledFuture<?> timer;
  private String failure;
  private boolean done;
  private boolean secured;

  ConnectionUpgrader(
      Host host,
      Connection.Direction direction,
      Optional<PeerId> expected,
      Multiaddr dialed,
      CompletableFuture<Connection> result) {
    this(host, direction, expected, dialed, result, null, null);
  }

  /**
   * For a relayed connection: {@code circuitAddr} is both ends' address, {@code limit} the relay's.
   */
  ConnectionUpgrader(
      Host host,
      Connection.Direction direction,
      Optional<PeerId> expected,
      Multiaddr dialed,
      CompletableFuture<Connection> result,
      Multiaddr circuitAddr,
      RelayLimit limit) {
    this.circuitAddr = circuitAddr;
    this.relayLimit = limit;
    this.host = host;
    this.direction = direction;
    this.expected = expected;
    this.dialed = dialed;
    this.result = result;
  }

  private boolean outbound() {
    return direction == Connection.Direction.OUTBOUND;
  }

  void install(Channel ch) {
    this.channel = ch;
    ChannelPipeline p = ch.pipeline();
    HostConfig config = host.config();
    config.swarmKey().ifPresent(key -> p.addLast("pnet", new PnetHandler(key, config.random())));
    MultistreamNegotiator security =
        outbound()
            ? MultistreamNegotiator.initiator(List.of(NOISE))
            : MultistreamNegotiator.responder(List.of(NOISE), MultistreamConfig.DEFAULT);
    p.addLast(
        "mss-security",
        new MultistreamHandler(
            security,
            (ctx, protocol) ->
                ctx.pipeline()
                    .addAfter(
                        ctx.name(),
                        "noise",
                        new NoiseHandler(
                            outbound() ? NoiseRole.INITIATOR : NoiseRole.RESPONDER,
                            config.identity(),
                            expected,
                            NoiseConfig.builder()
                                .muxers(List.of(YAMUX))
                                .handshakeTimeout(config.upgradeTimeout())
                                .build(),
                            config.random())),
            config.upgradeTimeout()));
    p.addLast("upgrade", this);
    timer =
        ch.eventLoop()
            .schedule(
                () ->
                    fail(
                        "the upgrade did not finish within "
                            + config.upgradeTimeout().toMillis()
                            + " ms"),
                config.upgradeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> fail("the connection closed during the upgrade"));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof NoiseHandshakeCompleted done) {
      secured(ctx, done);
    } else if (evt instanceof org.grapevine.libp2p.noise.netty.NoiseFailed nf) {
      failure = "Noise handshake failed: " + nf.detail();
    } else if (evt instanceof NegotiationFailed nf) {
      failure =
          "protocol negotiation failed ("
              + nf.code()
              + ": "
              + nf.detail()
              + ")"
              + (host.config().swarmKey().isPresent()
                  ? "; does the peer use the same swarm key?"
                  : "; is it a libp2p peer, and does it need a swarm key?");
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  private void secured(ChannelHandlerContext ctx, NoiseHandshakeCompleted noise) {
    secured = true;
    if (noise.muxer().isPresent()) {
      addMuxer(ctx, noise.remotePeer());
      return;
    }
    // No early muxer negotiation (the peer sent no list): choose Yamux with multistream inside
    // Noise.
    MultistreamNegotiator muxer =
        outbound()
            ? MultistreamNegotiator.initiator(List.of(YAMUX))
            : MultistreamNegotiator.responder(List.of(YAMUX), MultistreamConfig.DEFAULT);
    ctx.pipeline()
        .addBefore(
            ctx.name(),
            "mss-muxer",
            new MultistreamHandler(
                muxer,
                (mctx, protocol) -> addMuxer(mctx, noise.remotePeer()),
                host.config().upgradeTimeout()));
  }

  /** Adds Yamux after {@code after}'s handler and hands the connection to the host. */
  private void addMuxer(ChannelHandlerContext after, PeerId remote) {
    YamuxHandler yamux =
        new YamuxHandler(
            YamuxConfig.builder()
                // A Data frame with its 12-byte header fills one Noise frame (65,519 plaintext
                // bytes)
                // instead of spilling 29 bytes into a second, separately encrypted one.
                .maxSendChunkBytes(MAX_NOISE_PLAINTEXT - 12)
                .receiveWindowBytes(host.config().streamReceiveWindowBytes())
                .maxInboundStreams(host.config().maxStreamsPerConnection())
                .maxOutboundStreams(host.config().maxStreamsPerConnection())
                .build(),
            outbound());
    after.pipeline().addAfter(after.name(), "yamux", yamux);
    done = true;
    timer.cancel(false);
    Channel ch = after.channel();
    Connection connection =
        ch instanceof SocketChannel socket
            ? new Connection(
                ch,
                remote,
                Multiaddr.of(socket.remoteAddress()),
                Multiaddr.of(socket.localAddress()),
                direction,
                yamux,
                null)
            : new Connection(ch, remote, circuitAddr, circuitAddr, direction, yamux, relayLimit);
    if (host.upgraded(connection)) {
      result.complete(connection);
    } else {
      result.completeExceptionally(
          new DialException(
              "dial "
                  + dialed
                  + ": the host refused the connection (closing or over the per-peer limit)"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failure = Failures.describe(cause);
    log.debug("{} connection {} failed: {}", direction, ctx.channel().remoteAddress(), failure);
    ctx.close();
  }

  private void fail(String why) {
    if (done) {
      return;
    }
    done = true;
    if (timer != null) {
      timer.cancel(false);
    }
    host.upgradeFailed();
    String reason =
        failure != null
            ? failure
            : why
                + (secured
                    ? ""
                    : host.config().swarmKey().isPresent()
                        ? ", before the secure channel was up: does the peer use the same swarm key?"
                        : ", before the secure channel was up: is it a libp2p peer, and does it require a swarm key?");
    if (!outbound()) {
      log.info("inbound connection from {} failed: {}", dialed, reason);
    }
    result.completeExceptionally(new DialException("dial " + dialed + ": " + reason));
    channel.close();
  }
}
