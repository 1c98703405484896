package org.grapevine.node;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.discovery.DiscoveryConfig;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.media.MediaBudgets;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.identity.Identity;

/**
 * Everything a {@link Node} is made of, as {@link NodeLauncher} derived it from the node's config.
 *
 * @param search whether to keep the search index ({@link NodeConfig.Search})
 * @param root the identity's root key; null where the root key is offline (a device that joined the
 *     identity without it, or a directory whose root key was moved away)
 */
record NodeSetup(
    Path dataDir,
    Identity identity,
    SigningKey root,
    SigningKey device,
    HostConfig host,
    EventLoopGroup group,
    Budgets budgets,
    DiscoveryConfig discovery,
    GossipConfig gossip,
    NodeConfig.Dht dht,
    NodeConfig.Nat nat,
    boolean search,
    NodeConfig.Feeds feeds,
    NodeConfig.Circle circle,
    MediaBudgets media) {}
