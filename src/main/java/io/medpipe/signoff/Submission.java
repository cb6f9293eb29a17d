package io.medpipe.signoff;

import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * The variables a sign-off's completer sent in the completing command itself, held for the duration of that command,
 * so that the sign-off records only what its signer submitted.
 *
 * <p>Why not the task's variables: anything set on the task or the run before the completion (an administrator's
 * variable edit, another user's {@code resolve}) is visible through them; a sign-off must not carry someone else's
 * words or decision under its signer's name.
 */
final class Submission {

  private static final ThreadLocal<Map<String, Object>> CURRENT = new ThreadLocal<>();

  private Submission() {
  }

  static void begin(Map<String, Object> variables) {
    CURRENT.set(variables == null ? Map.of() : variables);
  }

  static void end() {
    CURRENT.remove();
  }

  /** The completion's own variables, or empty outside a governed completion. */
  static Optional<Map<String, Object>> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** A submitted value as a plain Java value: typed values unwrapped without deserialising anything. */
  static Object plain(Object value) {
    if (value instanceof TypedValue typed) {
      if (typed.getType() != null && !typed.getType().isPrimitiveValueType()) {
        return typed;   // an object or file value: left wrapped, and refused as "must be text"
      }
      return typed.getValue();
    }
    return value;
  }
}
