package io.medpipe.signoff;

import io.medpipe.pipeline.ProcessConstants;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How medpipe names a user-chosen name (a variable, an element) in logs, audit rows and error messages: as itself when
 * it is one the processes declare, otherwise by a fixed description with its length and a short hash.
 *
 * <p>Why: a refused request's variable name is text its sender chose ({@code PUT .../variables/<a patient's name>});
 * echoing it would let any logged-in user write into the log and into the append-only {@code medpipe.run_audit}. The
 * hash still lets an administrator match two attempts with the same name.
 */
final class Names {

  /** Every process variable name declared in {@link ProcessConstants} (its VAR_ constants). */
  static final Set<String> DECLARED = declared();

  private Names() {
  }

  /** The name if the processes declare it, else "an undeclared name (N characters, #hash)". */
  static String safe(String name) {
    if (name == null) {
      return "no name";
    }
    if (DECLARED.contains(name)) {
      return name;
    }
    return "an undeclared name (" + name.length() + " characters, #" + hash(name) + ")";
  }

  /** The names of a map's keys or a collection, each {@link #safe}, sorted; "none" if empty. */
  static String safeList(Object names) {
    Collection<?> c = names instanceof Map<?, ?> m ? m.keySet() : names instanceof Collection<?> col ? col : Set.of();
    if (c.isEmpty()) {
      return "none";
    }
    return c.stream().map(n -> safe(String.valueOf(n))).sorted().collect(Collectors.joining(", "));
  }

  /** The first 8 hex digits of the SHA-256 of a text: identifies it without repeating it. */
  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> declared() {
    Set<String> names = new TreeSet<>();
    for (Field f : ProcessConstants.class.getFields()) {
      if (f.getName().startsWith("VAR_") && Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        try {
          names.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return Set.copyOf(names);
  }
}
