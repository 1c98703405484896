package org.grapevine.libp2p.bitswap;

import java.util.List;

/**
 * One Bitswap 1.2.0 message, decoded and checked ({@link BitswapCodec}).
 *
 * @param wants wantlist entries, in wire order
 * @param full the wantlist is the sender's whole one: it replaces what we hold for the sender
 * @param blocks 1.1.0+ payloads
 * @param presences HAVE and DONT_HAVE answers
 * @param pendingBytes what the sender says it still has queued for us (informative only)
 * @param skipped entries, payloads and presences the codec dropped because their CID is of a kind
 *     we do not serve ({@link BitswapError#UNSUPPORTED_CID}); counted, not refused
 */
public record BitswapMessage(
    List<WantEntry> wants,
    boolean full,
    List<BlockPayload> blocks,
    List<BlockPresence> presences,
    int pendingBytes,
    int skipped) {
  public BitswapMessage {
    wants = List.copyOf(wants);
    blocks = List.copyOf(blocks);
    presences = List.copyOf(presences);
    if (pendingBytes < 0 || skipped < 0) {
      throw new IllegalArgumentException("negative pendingBytes or skipped");
    }
  }

  public static BitswapMessage wants(List<WantEntry> wants) {
    return new BitswapMessage(wants, false, List.of(), List.of(), 0, 0);
  }

  public static BitswapMessage reply(
      List<BlockPayload> blocks, List<BlockPresence> presences, int pendingBytes) {
    return new BitswapMessage(List.of(), false, blocks, presences, pendingBytes, 0);
  }

  public boolean isEmpty() {
    return wants.isEmpty() && !full && blocks.isEmpty() && presences.isEmpty();
  }
}
