/**
 * Rate limits shared by the protocols: {@link org.grapevine.libp2p.limits.TokenBucket} and {@link
 * org.grapevine.libp2p.limits.KeyedTokenBuckets} (bounded, per peer or per IP). Sans-I/O: time is
 * the caller's monotonic nanos.
 */
package org.grapevine.libp2p.limits;
