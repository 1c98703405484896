/**
 * Collections for the many small per-peer, per-topic and per-session tables of the protocol, the
 * libp2p stack and the node, at about one array slot per entry where the JDK's maps and sets spend
 * several objects per entry: {@link org.grapevine.collect.SmallMap}, {@link
 * org.grapevine.collect.SmallSet} (insertion order) and {@link
 * org.grapevine.collect.SmallSortedSet} (natural order; both sets on one mechanism), and {@link
 * org.grapevine.collect.Fifo} for queues drained after every input. They matter most in a
 * simulation of a million nodes, where every router holds a few dozen of them. A module of its own
 * because protocol (no I/O) and libp2p (nothing social) share no other.
 */
package org.grapevine.collect;
