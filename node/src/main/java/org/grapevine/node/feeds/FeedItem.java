package org.grapevine.node.feeds;

import org.grapevine.protocol.entry.EntryId;

/**
 * One post of a feed page, as Bluesky's feed skeleton gives it: the entry (a post, or a repost
 * whose original the page shows) and why it is there ({@code reason}: the score that placed it, and
 * for a repost who reposted).
 */
public record FeedItem(EntryId id, double score, String reason) {}
