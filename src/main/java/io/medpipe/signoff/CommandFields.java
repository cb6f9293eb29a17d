package io.medpipe.signoff;

import java.lang.reflect.Field;

/**
 * Reads the protected fields of Camunda's command objects (the task id of a completion, the variables it sets).
 *
 * <p>Why reflection: the engine offers no public accessor for a command's arguments, and an interceptor only sees
 * the command object. The fields read here have the same names in every 7.x release; 7.24 is the last Camunda 7
 * CE release, so they no longer change (a move to Operaton keeps them, docs/security.md). A missing field is an
 * error at the first use, never a silent pass: the tests exercise every one.
 */
final class CommandFields {

  private CommandFields() {
  }

  static Object get(Object command, String name) {
    for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(command);
      } catch (NoSuchFieldException e) {
        // declared further up
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read " + name + " of " + command.getClass().getName(), e);
      }
    }
    throw new IllegalStateException(command.getClass().getName() + " has no field " + name
        + ": this Camunda version is not the one medpipe's sign-off rules were written for");
  }

  static String string(Object command, String name) {
    Object value = get(command, name);
    return value == null ? null : value.toString();
  }
}
