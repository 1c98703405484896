package org.grapevine.node.media;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The dag-pb codec (0x70), written from ipld/specs block-layer/codecs/dag-pb.md:
 *
 * <pre>
 * PBNode := { 0x12 len PBLink }*   (field 2, Links, first: the canonical order is not field order)
 *           [ 0x0a len Data ]      (field 1)
 * PBLink := [ 0x0a len Hash ] [ 0x12 len Name ] [ 0x18 varint Tsize ]   (in this order)
 * </pre>
 *
 * <p>Encoding writes the canonical form. Decoding is as strict as the spec asks: link fields in
 * field order and at most once, no duplicate Data, no unknown fields or wire types, Hash present;
 * Data may come before the links too, since "the decoder should accept either order, as IPFS data
 * exists in both forms". Pure: no I/O. Limits on size and link count are the caller's ({@link
 * UnixFsFile#decodeRoot}), applied before this runs.
 */
public final class DagPbCodec {
  private static final int NODE_DATA = 1 << 3 | ProtoReader.WIRE_BYTES;
  private static final int NODE_LINK = 2 << 3 | ProtoReader.WIRE_BYTES;
  private static final int LINK_HASH = 1 << 3 | ProtoReader.WIRE_BYTES;
  private static final int LINK_NAME = 2 << 3 | ProtoReader.WIRE_BYTES;
  private static final int LINK_TSIZE = 3 << 3 | ProtoReader.WIRE_VARINT;

  private DagPbCodec() {}

  public static byte[] encode(DagPbNode node) {
    ProtoWriter out = new ProtoWriter();
    for (DagPbLink link : node.links()) {
      ProtoWriter l = new ProtoWriter().bytesField(1, link.hash());
      if (link.name() != null) {
        l.bytesField(2, link.name().getBytes(StandardCharsets.UTF_8));
      }
      if (link.tsize() != null) {
        l.varintField(3, link.tsize());
      }
      out.bytesField(2, l.toByteArray());
    }
    if (node.data() != null) {
      out.bytesField(1, node.data());
    }
    return out.toByteArray();
  }

  /**
   * Decodes a node; at most {@code maxLinks} links are read before {@link
   * MediaError#NODE_TOO_LARGE} (a cap on the work and memory a peer's node costs us).
   */
  public static DagPbNode decode(byte[] bytes, int maxLinks) throws MediaException {
    ProtoReader in = new ProtoReader(bytes, "dag-pb node");
    List<DagPbLink> links = new ArrayList<>();
    byte[] data = null;
    boolean linksEnded = false;
    while (!in.done()) {
      int tag = in.tag();
      if (tag == NODE_LINK) {
        if (linksEnded) {
          throw in.malformed("links on both sides of Data");
        }
        if (links.size() == maxLinks) {
          throw new MediaException(
              MediaError.NODE_TOO_LARGE, "dag-pb node with over " + maxLinks + " links");
        }
        links.add(link(in.message("dag-pb link " + links.size())));
      } else if (tag == NODE_DATA) {
        if (data != null) {
          throw in.malformed("Data twice");
        }
        data = in.bytes();
        linksEnded = !links.isEmpty();
      } else {
        throw in.malformed("unknown field or wire type, tag " + tag);
      }
    }
    return new DagPbNode(links, data);
  }

  private static DagPbLink link(ProtoReader in) throws MediaException {
    byte[] hash = null;
    String name = null;
    Long tsize = null;
    int lastField = 0;
    while (!in.done()) {
      int tag = in.tag();
      int field = tag >>> 3;
      if (field <= lastField) {
        throw in.malformed("link field " + field + " out of order or repeated");
      }
      lastField = field;
      if (tag == LINK_HASH) {
        hash = in.bytes();
      } else if (tag == LINK_NAME) {
        name = utf8(in.bytes(), in);
      } else if (tag == LINK_TSIZE) {
        tsize = in.varint();
      } else {
        throw in.malformed("unknown field or wire type, tag " + tag);
      }
    }
    if (hash == null) {
      throw in.malformed("link without Hash");
    }
    return new DagPbLink(hash, name, tsize);
  }

  private static String utf8(byte[] bytes, ProtoReader in) throws MediaException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw in.malformed("link Name is not UTF-8");
    }
  }
}
