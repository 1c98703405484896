package org.grapevine.protocol.sync;

import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.identity.Identity;

/** Content asked for by hash, for an entry of {@code identity} held without it. */
public record ContentRef(Identity identity, ContentHash hash) {}
