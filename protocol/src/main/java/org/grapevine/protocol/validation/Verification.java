package org.grapevine.protocol.validation;

import org.grapevine.protocol.entry.LogEntry;

/** The outcome of stateless validation: a verified entry, or why the bytes were refused. */
public sealed interface Verification permits Verification.Valid, Verification.Invalid {

  /** Signature, hashes, sizes and encoding are all right. */
  record Valid(LogEntry entry) implements Verification {}

  /** Refused; {@code detail} is for logs and says what exactly was wrong. */
  record Invalid(RejectReason reason, String detail) implements Verification {
    static Invalid of(RejectReason reason, String format, Object... args) {
      return new Invalid(reason, String.format(java.util.Locale.ROOT, format, args));
    }
  }
}
