package org.grapevine.libp2p.kad;

/** What a {@link Dht} query was for, as {@link DhtEvent.QueryDone} reports it. */
public enum QueryKind {
  /** {@link Dht#findPeer}: FIND_NODE until the peer itself is found. */
  FIND_PEER,
  /** {@link Dht#findClosest}: FIND_NODE for the k closest peers to a key. */
  FIND_CLOSEST,
  /** {@link Dht#findProviders}: a GET_PROVIDERS walk. */
  FIND_PROVIDERS,
  /** {@link Dht#getValue}: a GET_VALUE walk. */
  GET_VALUE,
  /** {@link Dht#putValue}: FIND_NODE, then PUT_VALUE to the k closest. */
  PUT_VALUE,
  /** {@link Dht#startProviding} and each republication: FIND_NODE, then ADD_PROVIDER. */
  PROVIDE,
  /** The self lookup of {@link Dht#bootstrap} and of each periodic refresh. */
  SELF_LOOKUP,
  /** A lookup of a random key in a bucket that saw no lookup for a refresh interval. */
  REFRESH,
}
