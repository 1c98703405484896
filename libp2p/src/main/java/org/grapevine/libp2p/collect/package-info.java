/**
 * Collections for the many small per-peer and per-topic tables a node holds, at one entry's cost
 * where the JDK's maps and sets spend several objects per entry ({@link
 * org.grapevine.libp2p.collect.SmallMap}, {@link org.grapevine.libp2p.collect.SmallSet}), and for
 * queues drained after every input ({@link org.grapevine.libp2p.collect.Fifo}). They matter most in
 * a simulation of a million nodes, where every router holds a few dozen of them.
 */
package org.grapevine.libp2p.collect;
