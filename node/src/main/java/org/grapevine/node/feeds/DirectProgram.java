package org.grapevine.node.feeds;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A checked feed expression evaluated directly over a {@link CandidateView}, for the part of CEL
 * that feeds use most (bools, ints, doubles, strings, lists of strings; logic, comparisons,
 * arithmetic, {@code size}, {@code contains}, {@code startsWith}, {@code endsWith}, {@code in},
 * indexing, {@code int()}, {@code double()}): CEL's planner runtime boxes every value and looks
 * every name up by string, and a full ranking is 50,000 evaluations (at a tenth of hand-written
 * Java's speed it missed the first page's 50 ms, issue 17's benchmark).
 *
 * <p>CEL's runtime stays the reference: anything outside this part (macros, regexes, maps, unsigned
 * or mixed-type arithmetic, string conversions of doubles) leaves the whole expression to it
 * ({@link #of} is empty), and whenever an evaluation here would fail or meets a case whose result
 * is not plainly CEL's (an overflow, a division by zero, an index out of range, an ordering of
 * strings beyond the Basic Multilingual Plane's first part), it throws {@link Defer} and the caller
 * asks CEL's runtime for that candidate. So a result given here is the one CEL gives; errors, and
 * how {@code &&} and {@code ||} absorb them, are always CEL's own. A property test compares the two
 * over generated expressions.
 *
 * <p>Costs stay bounded as before: this evaluates no node more often than CEL's runtime would, and
 * the budget ({@link FeedCost}) is computed from the same tree.
 */
final class DirectProgram {
  /** Only CEL's runtime can tell this evaluation's result (an error, or an edge case). */
  static final class Defer extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Defer() {
      super("left to CEL's runtime", null, false, false); // Thrown often: no stack trace.
    }
  }

  // A signal, thrown per candidate when it is: one instance without a stack trace costs nothing.
  @SuppressWarnings("StaticAssignmentOfThrowable")
  static final Defer DEFER = new Defer();

  /** The expression uses something evaluated by CEL's runtime only. */
  private static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  interface Bool {
    boolean eval(CandidateView v);
  }

  interface Int {
    long eval(CandidateView v);
  }

  interface Dbl {
    double eval(CandidateView v);
  }

  interface Str {
    String eval(CandidateView v);
  }

  interface Strs {
    List<String> eval(CandidateView v);
  }

  private enum Type {
    BOOL,
    INT,
    DOUBLE,
    STRING,
    STRINGS
  }

  private final Bool filter;
  private final Dbl score;

  private DirectProgram(Bool filter, Dbl score) {
    this.filter = filter;
    this.score = score;
  }

  /**
   * The direct form of a checked filter (a bool) or score (an int or a double), or empty when any
   * part of it is left to CEL's runtime.
   */
  static Optional<DirectProgram> of(CelAbstractSyntaxTree ast) {
    Compiler c = new Compiler(ast);
    try {
      CelExpr root = ast.getExpr();
      return switch (c.type(root)) {
        case BOOL -> Optional.of(new DirectProgram(c.bool(root), null));
        case INT -> {
          Int i = c.integer(root);
          yield Optional.of(new DirectProgram(null, v -> i.eval(v)));
        }
        case DOUBLE -> Optional.of(new DirectProgram(null, c.dbl(root)));
        default -> Optional.empty();
      };
    } catch (Unsupported e) {
      return Optional.empty();
    }
  }

  /** A filter's result. @throws Defer when CEL's runtime must tell */
  boolean test(CandidateView v) {
    return filter.eval(v);
  }

  /** A score's result. @throws Defer when CEL's runtime must tell */
  double score(CandidateView v) {
    return score.eval(v);
  }

  boolean isFilter() {
    return filter != null;
  }

  /** Builds the evaluator of each node from its checked type and the overload the checker chose. */
  private static final class Compiler {
    private final CelAbstractSyntaxTree ast;

    Compiler(CelAbstractSyntaxTree ast) {
      this.ast = ast;
    }

    Type type(CelExpr e) throws Unsupported {
      CelType t = ast.getType(e.id()).orElseThrow(() -> new Unsupported("unchecked"));
      if (t.kind() == CelKind.LIST
          && t instanceof ListType l
          && l.hasElemType()
          && l.elemType().kind() == CelKind.STRING) {
        return Type.STRINGS;
      }
      if (t.equals(SimpleType.BOOL)) {
        return Type.BOOL;
      }
      if (t.equals(SimpleType.INT)) {
        return Type.INT;
      }
      if (t.equals(SimpleType.DOUBLE)) {
        return Type.DOUBLE;
      }
      if (t.equals(SimpleType.STRING)) {
        return Type.STRING;
      }
      throw new Unsupported("type " + t.name());
    }

    /**
     * The view field of {@code kind} a name or a select stands for, as the checker resolved it (a
     * {@code has()} test, or a field of another kind, is left to CEL's runtime).
     */
    private ViewField field(CelExpr e, CelKind kind) throws Unsupported {
      if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && e.select().testOnly()) {
        throw new Unsupported("has()");
      }
      Optional<CelReference> r = ast.getReference(e.id());
      String name =
          r.isPresent() && !r.get().name().isEmpty()
              ? r.get().name()
              : e.getKind() == CelExpr.ExprKind.Kind.IDENT ? e.ident().name() : null;
      ViewField f = name == null ? null : ViewField.named(name);
      if (f == null || f.type.kind() != kind) {
        throw new Unsupported("name " + name);
      }
      return f;
    }

    private static boolean isName(CelExpr e) {
      return e.getKind() == CelExpr.ExprKind.Kind.IDENT
          || e.getKind() == CelExpr.ExprKind.Kind.SELECT;
    }

    private String overload(CelExpr e) throws Unsupported {
      CelReference r =
          ast.getReference(e.id()).orElseThrow(() -> new Unsupported("unresolved call"));
      if (r.overloadIds().size() != 1) {
        throw new Unsupported("overloads " + r.overloadIds());
      }
      return r.overloadIds().get(0);
    }

    /** The call's operands: the receiver (if any) first, then the arguments. */
    private static List<CelExpr> operands(CelExpr e) {
      List<CelExpr> out = new ArrayList<>();
      e.call().target().ifPresent(out::add);
      out.addAll(e.call().args());
      return out;
    }

    private CelConstant constant(CelExpr e) {
      return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT ? e.constant() : null;
    }

    Bool bool(CelExpr e) throws Unsupported {
      CelConstant k = constant(e);
      if (k != null && k.getKind() == CelConstant.Kind.BOOLEAN_VALUE) {
        boolean b = k.booleanValue();
        return v -> b;
      }
      if (isName(e)) {
        ViewField f = field(e, CelKind.BOOL);
        return v -> v.bool(f);
      }
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        throw new Unsupported(e.getKind().name());
      }
      String o = overload(e);
      List<CelExpr> x = operands(e);
      switch (o) {
        case "logical_and" -> {
          Bool a = bool(x.get(0));
          Bool b = bool(x.get(1));
          return v -> a.eval(v) && b.eval(v); // An error in a: deferred, CEL absorbs or not.
        }
        case "logical_or" -> {
          Bool a = bool(x.get(0));
          Bool b = bool(x.get(1));
          return v -> a.eval(v) || b.eval(v);
        }
        case "logical_not" -> {
          Bool a = bool(x.get(0));
          return v -> !a.eval(v);
        }
        case "conditional" -> {
          Bool c = bool(x.get(0));
          Bool a = bool(x.get(1));
          Bool b = bool(x.get(2));
          return v -> c.eval(v) ? a.eval(v) : b.eval(v);
        }
        case "equals" -> {
          return equality(x.get(0), x.get(1));
        }
        case "not_equals" -> {
          Bool eq = equality(x.get(0), x.get(1));
          return v -> !eq.eval(v);
        }
        case "less_int64", "less_equals_int64", "greater_int64", "greater_equals_int64" -> {
          Int a = integer(x.get(0));
          Int b = integer(x.get(1));
          return switch (o) {
            case "less_int64" -> v -> a.eval(v) < b.eval(v);
            case "less_equals_int64" -> v -> a.eval(v) <= b.eval(v);
            case "greater_int64" -> v -> a.eval(v) > b.eval(v);
            default -> v -> a.eval(v) >= b.eval(v);
          };
        }
        case "less_double", "less_equals_double", "greater_double", "greater_equals_double" -> {
          Dbl a = dbl(x.get(0));
          Dbl b = dbl(x.get(1));
          return switch (o) {
            case "less_double" -> v -> a.eval(v) < b.eval(v);
            case "less_equals_double" -> v -> a.eval(v) <= b.eval(v);
            case "greater_double" -> v -> a.eval(v) > b.eval(v);
            default -> v -> a.eval(v) >= b.eval(v);
          };
        }
        case "less_string", "less_equals_string", "greater_string", "greater_equals_string" -> {
          Str a = str(x.get(0));
          Str b = str(x.get(1));
          return switch (o) {
            case "less_string" -> v -> compare(a.eval(v), b.eval(v)) < 0;
            case "less_equals_string" -> v -> compare(a.eval(v), b.eval(v)) <= 0;
            case "greater_string" -> v -> compare(a.eval(v), b.eval(v)) > 0;
            default -> v -> compare(a.eval(v), b.eval(v)) >= 0;
          };
        }
        case "in_list" -> {
          if (type(x.get(0)) != Type.STRING) {
            throw new Unsupported("in over " + type(x.get(0)));
          }
          Str a = str(x.get(0));
          Strs l = strings(x.get(1));
          return v -> {
            String s = a.eval(v);
            return l.eval(v).contains(s);
          };
        }
        case "contains_string", "starts_with_string", "ends_with_string" -> {
          Str a = str(x.get(0));
          Str b = str(x.get(1));
          return switch (o) {
            case "contains_string" -> v -> a.eval(v).contains(b.eval(v));
            case "starts_with_string" -> v -> a.eval(v).startsWith(b.eval(v));
            default -> v -> a.eval(v).endsWith(b.eval(v));
          };
        }
        case "bool_to_bool" -> {
          return bool(x.get(0));
        }
        default -> throw new Unsupported(o);
      }
    }

    /** CEL's {@code ==} for two operands of one type (mixed types are left to CEL's runtime). */
    private Bool equality(CelExpr l, CelExpr r) throws Unsupported {
      Type t = type(l);
      if (type(r) != t) {
        throw new Unsupported("equality of mixed types");
      }
      switch (t) {
        case BOOL -> {
          Bool a = bool(l);
          Bool b = bool(r);
          return v -> a.eval(v) == b.eval(v);
        }
        case INT -> {
          Int a = integer(l);
          Int b = integer(r);
          return v -> a.eval(v) == b.eval(v);
        }
        case DOUBLE -> {
          Dbl a = dbl(l);
          Dbl b = dbl(r);
          return v -> a.eval(v) == b.eval(v); // NaN is unequal to itself, -0.0 equals 0.0: CEL's
        }
        case STRING -> {
          Str a = str(l);
          Str b = str(r);
          return v -> a.eval(v).equals(b.eval(v));
        }
        default -> {
          Strs a = strings(l);
          Strs b = strings(r);
          return v -> a.eval(v).equals(b.eval(v));
        }
      }
    }

    Int integer(CelExpr e) throws Unsupported {
      CelConstant k = constant(e);
      if (k != null && k.getKind() == CelConstant.Kind.INT64_VALUE) {
        long n = k.int64Value();
        return v -> n;
      }
      if (isName(e)) {
        ViewField f = field(e, CelKind.INT);
        return v -> v.integer(f);
      }
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        throw new Unsupported(e.getKind().name());
      }
      String o = overload(e);
      List<CelExpr> x = operands(e);
      switch (o) {
        case "add_int64", "subtract_int64", "multiply_int64", "divide_int64", "modulo_int64" -> {
          Int a = integer(x.get(0));
          Int b = integer(x.get(1));
          return switch (o) {
            case "add_int64" -> v -> exact(Math::addExact, a.eval(v), b.eval(v));
            case "subtract_int64" -> v -> exact(Math::subtractExact, a.eval(v), b.eval(v));
            case "multiply_int64" -> v -> exact(Math::multiplyExact, a.eval(v), b.eval(v));
            case "divide_int64" ->
                v -> {
                  long p = a.eval(v);
                  long q = b.eval(v);
                  if (q == 0 || (q == -1 && p == Long.MIN_VALUE)) {
                    throw DEFER;
                  }
                  return p / q;
                };
            default ->
                v -> {
                  long p = a.eval(v);
                  long q = b.eval(v);
                  if (q == 0 || q == -1) {
                    throw DEFER; // By zero fails; by -1 is 0 but for the one overflowing case.
                  }
                  return p % q;
                };
          };
        }
        case "negate_int64" -> {
          Int a = integer(x.get(0));
          return v -> {
            long n = a.eval(v);
            if (n == Long.MIN_VALUE) {
              throw DEFER;
            }
            return -n;
          };
        }
        case "conditional" -> {
          Bool c = bool(x.get(0));
          Int a = integer(x.get(1));
          Int b = integer(x.get(2));
          return v -> c.eval(v) ? a.eval(v) : b.eval(v);
        }
        case "size_string", "string_size" -> {
          Str s = str(x.get(0));
          return v -> {
            String t = s.eval(v);
            int n = t.codePointCount(0, t.length());
            if (n != t.length()) {
              throw DEFER; // Beyond the BMP: CEL's count of code points decides.
            }
            return n;
          };
        }
        case "size_list", "list_size" -> {
          Strs l = strings(x.get(0));
          return v -> l.eval(v).size();
        }
        case "int64_to_int64" -> {
          return integer(x.get(0));
        }
        case "double_to_int64" -> {
          Dbl d = dbl(x.get(0));
          return v -> {
            double n = d.eval(v);
            // Well inside the range only; NaN, infinities and the edges fail or round in CEL's way.
            if (!(Math.abs(n) < 9.0e18)) {
              throw DEFER;
            }
            return (long) n;
          };
        }
        default -> throw new Unsupported(o);
      }
    }

    Dbl dbl(CelExpr e) throws Unsupported {
      CelConstant k = constant(e);
      if (k != null && k.getKind() == CelConstant.Kind.DOUBLE_VALUE) {
        double n = k.doubleValue();
        return v -> n;
      }
      if (isName(e)) {
        ViewField f = field(e, CelKind.DOUBLE);
        return v -> v.dbl(f);
      }
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        throw new Unsupported(e.getKind().name());
      }
      String o = overload(e);
      List<CelExpr> x = operands(e);
      switch (o) {
        case "add_double", "subtract_double", "multiply_double", "divide_double" -> {
          Dbl a = dbl(x.get(0));
          Dbl b = dbl(x.get(1));
          return switch (o) {
            case "add_double" -> v -> a.eval(v) + b.eval(v);
            case "subtract_double" -> v -> a.eval(v) - b.eval(v);
            case "multiply_double" -> v -> a.eval(v) * b.eval(v);
            default -> v -> a.eval(v) / b.eval(v); // IEEE 754, as CEL: no error.
          };
        }
        case "negate_double" -> {
          Dbl a = dbl(x.get(0));
          return v -> -a.eval(v);
        }
        case "conditional" -> {
          Bool c = bool(x.get(0));
          Dbl a = dbl(x.get(1));
          Dbl b = dbl(x.get(2));
          return v -> c.eval(v) ? a.eval(v) : b.eval(v);
        }
        case "int64_to_double" -> {
          Int a = integer(x.get(0));
          return v -> (double) a.eval(v);
        }
        case "double_to_double" -> {
          return dbl(x.get(0));
        }
        default -> throw new Unsupported(o);
      }
    }

    Str str(CelExpr e) throws Unsupported {
      CelConstant k = constant(e);
      if (k != null && k.getKind() == CelConstant.Kind.STRING_VALUE) {
        String s = k.stringValue();
        return v -> s;
      }
      if (isName(e)) {
        ViewField f = field(e, CelKind.STRING);
        return v -> v.str(f);
      }
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        throw new Unsupported(e.getKind().name());
      }
      String o = overload(e);
      List<CelExpr> x = operands(e);
      switch (o) {
        case "add_string" -> {
          Str a = str(x.get(0));
          Str b = str(x.get(1));
          return v -> a.eval(v).concat(b.eval(v));
        }
        case "conditional" -> {
          Bool c = bool(x.get(0));
          Str a = str(x.get(1));
          Str b = str(x.get(2));
          return v -> c.eval(v) ? a.eval(v) : b.eval(v);
        }
        case "index_list" -> {
          Strs l = strings(x.get(0));
          Int i = integer(x.get(1));
          return v -> {
            List<String> list = l.eval(v);
            long n = i.eval(v);
            if (n < 0 || n >= list.size()) {
              throw DEFER;
            }
            return list.get((int) n);
          };
        }
        case "string_to_string" -> {
          return str(x.get(0));
        }
        case "int64_to_string" -> {
          Int a = integer(x.get(0));
          return v -> Long.toString(a.eval(v));
        }
        default -> throw new Unsupported(o);
      }
    }

    Strs strings(CelExpr e) throws Unsupported {
      if (type(e) != Type.STRINGS) {
        throw new Unsupported("not a list of strings");
      }
      if (isName(e)) {
        ViewField f = field(e, CelKind.LIST);
        return v -> v.list(f);
      }
      if (e.getKind() == CelExpr.ExprKind.Kind.LIST) {
        if (!e.list().optionalIndices().isEmpty()) {
          throw new Unsupported("optional list elements");
        }
        List<Str> elements = new ArrayList<>();
        boolean constant = true;
        for (CelExpr el : e.list().elements()) {
          elements.add(str(el));
          constant &= constant(el) != null;
        }
        if (constant) {
          List<String> fixed = new ArrayList<>();
          for (CelExpr el : e.list().elements()) {
            fixed.add(el.constant().stringValue());
          }
          List<String> list = List.copyOf(fixed);
          return v -> list;
        }
        return v -> {
          List<String> out = new ArrayList<>(elements.size());
          for (Str s : elements) {
            out.add(s.eval(v));
          }
          return out;
        };
      }
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        throw new Unsupported(e.getKind().name());
      }
      String o = overload(e);
      List<CelExpr> x = operands(e);
      switch (o) {
        case "add_list" -> {
          Strs a = strings(x.get(0));
          Strs b = strings(x.get(1));
          return v -> {
            List<String> p = a.eval(v);
            List<String> q = b.eval(v);
            List<String> out = new ArrayList<>(p.size() + q.size());
            out.addAll(p);
            out.addAll(q);
            return out;
          };
        }
        case "conditional" -> {
          Bool c = bool(x.get(0));
          Strs a = strings(x.get(1));
          Strs b = strings(x.get(2));
          return v -> c.eval(v) ? a.eval(v) : b.eval(v);
        }
        default -> throw new Unsupported(o);
      }
    }
  }

  private interface LongOp {
    long apply(long a, long b);
  }

  /** An int operation that fails on overflow in CEL: deferred then. */
  private static long exact(LongOp op, long a, long b) {
    try {
      return op.apply(a, b);
    } catch (ArithmeticException overflow) {
      throw DEFER;
    }
  }

  /**
   * Strings ordered as CEL orders them (by code point) where that is plainly the order of their
   * UTF-16 units: below U+D800 in both; otherwise CEL's runtime decides.
   */
  private static int compare(String a, String b) {
    if (!belowSurrogates(a) || !belowSurrogates(b)) {
      throw DEFER;
    }
    return a.compareTo(b);
  }

  private static boolean belowSurrogates(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= '\uD800') {
        return false;
      }
    }
    return true;
  }
}
