package org.grapevine.protocol.addressed;

import com.google.protobuf.InvalidProtocolBufferException;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.proto.Addressed;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * Stateless validation of an {@code Addressed} message: everything a reader can check without its
 * store. In order, cheapest first:
 *
 * <ol>
 *   <li>at most {@link Limits#MAX_ADDRESSED_BYTES}, and it decodes, with both parts present;
 *   <li>the delegation proof is at most {@link Limits#MAX_DELEGATION_PROOF_BYTES};
 *   <li>both envelopes validate as any envelope does ({@link EntryValidator}: sizes, canonical
 *       header, content rules, signature);
 *   <li>the entry is a device-log entry with its content; the proof is a root-log {@code
 *       DelegateDevice} of the same identity, with content naming the entry's author.
 * </ol>
 *
 * The answer is the entry's {@link Verification}: the proof has done its work once it checks out.
 * What needs the store (is the device revoked as far as the reader knows, does the content address
 * the topic's identity, limits per writer) is the receiver's next step. A failure of the last step
 * is {@link RejectReason#BAD_DELEGATION_PROOF}: the message carries its own proof, so a peer that
 * forwards a bad one is at fault.
 */
public final class AddressedValidator {
  private final EntryValidator validator;

  public AddressedValidator(EntryValidator validator) {
    this.validator = validator;
  }

  public Verification validate(byte[] bytes) {
    if (bytes.length > Limits.MAX_ADDRESSED_BYTES) {
      return invalid(
          RejectReason.ENVELOPE_TOO_LARGE,
          "addressed message of " + bytes.length + " bytes, at most " + Limits.MAX_ADDRESSED_BYTES);
    }
    Addressed message;
    try {
      message = Addressed.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return invalid(
          RejectReason.MALFORMED_ENVELOPE, "addressed message does not decode: " + e.getMessage());
    }
    if (!message.hasEntry() || !message.hasDelegation()) {
      return invalid(
          RejectReason.MALFORMED_ENVELOPE, "an addressed message needs an entry and a delegation");
    }
    byte[] proofBytes = message.getDelegation().toByteArray();
    if (proofBytes.length > Limits.MAX_DELEGATION_PROOF_BYTES) {
      return invalid(
          RejectReason.BAD_DELEGATION_PROOF,
          "delegation proof of "
              + proofBytes.length
              + " bytes, at most "
              + Limits.MAX_DELEGATION_PROOF_BYTES);
    }
    Verification entry = validator.validate(message.getEntry().toByteArray());
    if (!(entry instanceof Verification.Valid valid)) {
      return entry;
    }
    Verification proof = validator.validate(proofBytes);
    if (proof instanceof Verification.Invalid bad) {
      return invalid(
          RejectReason.BAD_DELEGATION_PROOF,
          "delegation proof invalid (" + bad.reason() + "): " + bad.detail());
    }
    String problem = mismatch(valid.entry(), ((Verification.Valid) proof).entry());
    return problem == null ? entry : invalid(RejectReason.BAD_DELEGATION_PROOF, problem);
  }

  /** What is wrong with {@code proof} as the delegation of {@code entry}; null when nothing. */
  private static String mismatch(LogEntry entry, LogEntry proof) {
    EntryHeader h = entry.header();
    if (h.inRootLog()) {
      return "a root-log entry is never addressed";
    }
    if (entry.content().isEmpty()) {
      return "the addressed entry came without its content";
    }
    EntryHeader p = proof.header();
    if (!p.inRootLog() || !p.identity().equals(h.identity())) {
      return "the delegation proof is not an entry of " + h.identity() + "'s root log";
    }
    Content c = proof.content().orElse(null);
    if (p.kind() != ContentKind.DELEGATE_DEVICE || c == null) {
      return "the delegation proof is not a device delegation with its content";
    }
    AuthorKey device = AuthorKey.of(c.getDelegateDevice().getDevice().toByteArray());
    if (!device.equals(h.author())) {
      return "the delegation proof delegates " + device + ", not the entry's author " + h.author();
    }
    return null;
  }

  private static Verification invalid(RejectReason reason, String detail) {
    return new Verification.Invalid(reason, detail);
  }
}
