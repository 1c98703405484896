package org.grapevine.libp2p.autonat;

import java.util.List;

/**
 * The messages of the {@code /libp2p/autonat/2/dial-request} stream (autonat-v2.md "RPC Messages"),
 * each sent as a {@code Message} with one field of its {@code oneof} set. Decoded and checked by
 * {@link AutonatV2Codec}.
 */
public sealed interface AutonatV2Message {

  /**
   * Client to server: addresses in descending priority and the nonce the dial back must carry.
   *
   * @param addrs binary multiaddrs as sent; the server decodes each when it considers it, so that
   *     one it cannot read is refused on its own and indices keep their meaning
   */
  record DialRequest(List<byte[]> addrs, long nonce) implements AutonatV2Message {
    public DialRequest {
      addrs = List.copyOf(addrs);
    }
  }

  /** Server to client: the dial response (the last message on the stream). */
  record DialResponse(ResponseStatus status, int addrIdx, DialStatus dialStatus)
      implements AutonatV2Message {}

  /** Server to client: pay {@code numBytes} before the address at {@code addrIdx} is dialled. */
  record DialDataRequest(int addrIdx, long numBytes) implements AutonatV2Message {}

  /**
   * Client to server: one chunk of dial data. Only its length matters, so the decoder keeps no
   * bytes and the encoder sends zeros.
   */
  record DialDataResponse(int dataBytes) implements AutonatV2Message {}
}
