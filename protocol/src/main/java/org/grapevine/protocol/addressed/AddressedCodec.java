package org.grapevine.protocol.addressed;

import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Addressed;
import org.grapevine.protocol.proto.Envelope;

/** Encodes the {@code Addressed} message a writer publishes on an addressee's topic. */
public final class AddressedCodec {
  private AddressedCodec() {}

  /**
   * The message for {@code entry} (a device-log entry with its content) and {@code delegation} (the
   * root-log entry that delegated its author, with its content).
   *
   * @throws IllegalArgumentException if either lacks its content or the delegation is not in a root
   *     log: a caller bug, since the writer holds both
   */
  public static byte[] encode(LogEntry entry, LogEntry delegation) {
    if (!entry.hasContent() || !delegation.hasContent()) {
      throw new IllegalArgumentException("an addressed entry and its delegation need content");
    }
    if (!delegation.header().inRootLog() || entry.header().inRootLog()) {
      throw new IllegalArgumentException("the delegation must be a root-log entry, the entry not");
    }
    try {
      return Addressed.newBuilder()
          .setEntry(Envelope.parseFrom(entry.toEnvelopeBytes()))
          .setDelegation(Envelope.parseFrom(delegation.toEnvelopeBytes()))
          .build()
          .toByteArray();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("our own envelope does not decode", e);
    }
  }
}
