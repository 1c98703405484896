package org.grapevine.protocol.sync;

import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.identity.Identity;

/**
 * Content a peer answered a WantContent with: {@code bytes} hash to {@code hash} (checked by the
 * session). The array belongs to the receiver.
 */
@SuppressWarnings("ArrayRecordComponent") // the content's bytes, identified by its hash
public record FetchedContent(Identity identity, ContentHash hash, byte[] bytes) {}
