package org.grapevine.node.feeds;

import java.util.List;
import java.util.Optional;

/**
 * One page of a feed. {@code cursor} asks for the next page (empty at the end): it pins the ranking
 * this page came from (its time and the entries known then), so paging on neither repeats nor skips
 * a post while new ones arrive. {@code candidates} is how many posts were ranked and {@code
 * failures} how many of them the expressions failed on (a division by zero, say: such a post is
 * left out, and counted); {@code truncated} says the page budget cut the window short.
 */
public record FeedPage(
    String feed,
    List<FeedItem> items,
    Optional<String> cursor,
    int candidates,
    int failures,
    boolean truncated) {}
