package org.grapevine.node.feeds;

import java.util.Optional;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;

/**
 * A feed as a picker shows it. {@code key} names it in the API and the CLI: a built-in's name (for
 * example {@code following}) or a published version's entry id in hex. {@code author} and {@code
 * id} are empty for built-ins. {@code used}: this node's person uses this version; {@code
 * newerVersion}: the author published a later version (same name) that is held; {@code users}: how
 * many of the people this node follows use it (their latest use of a version of it is not stopped).
 */
public record FeedInfo(
    String key,
    FeedDefinition definition,
    boolean builtIn,
    Optional<Identity> author,
    Optional<EntryId> id,
    boolean used,
    Optional<EntryId> newerVersion,
    int users) {}
