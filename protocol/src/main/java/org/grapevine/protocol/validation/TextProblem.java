package org.grapevine.protocol.validation;

/**
 * Why a writer may not sign a text ({@link ContentRules#checkText}): always the fault of whoever
 * gave the text. Callers map the {@link Code} to their own answer (an API error code, a cli
 * message); they never parse {@link #message(String)}.
 *
 * @param bytes the text's length in UTF-8 (for {@link Code#TOO_LONG}; else its length too)
 */
public record TextProblem(Code code, TextField field, int bytes) {
  /** What is wrong with the text. */
  public enum Code {
    /** Empty or white space only, in a field that must hold something. */
    EMPTY,
    /** Holds a lone surrogate: it has no UTF-8 encoding (protobuf would write '?' instead). */
    NOT_UNICODE,
    /** Over the field's {@link TextField#maxBytes()}. */
    TOO_LONG
  }

  /** For people, naming the field by {@code name} (e.g. the API's JSON field). */
  public String message(String name) {
    return switch (code) {
      case EMPTY -> name + " is empty";
      case NOT_UNICODE -> name + " is not valid Unicode (it holds a lone surrogate)";
      case TOO_LONG -> name + " is " + bytes + " bytes of UTF-8, at most " + field.maxBytes();
    };
  }
}
