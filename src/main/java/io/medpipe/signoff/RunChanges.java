package io.medpipe.signoff;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;

/**
 * Collects which runs a governed command touched, from the history events the engine produces while it runs.
 *
 * <p>Why history events: a modification, a migration or a variable edit names its instances in a dozen different
 * ways (one id, a list, a query); every one of them produces activity or variable history carrying the root process
 * instance, the run. Registered next to the engine's own database handler, it only notes ids while a governed
 * command is running on this thread.
 */
final class RunChanges implements HistoryEventHandler {

  private static final ThreadLocal<Set<String>> TOUCHED = new ThreadLocal<>();

  /** Starts noting the runs touched on this thread. */
  static void begin() {
    TOUCHED.set(new LinkedHashSet<>());
  }

  /** Adds a run known from the command itself. */
  static void note(String runId) {
    Set<String> runs = TOUCHED.get();
    if (runs != null && runId != null) {
      runs.add(runId);
    }
  }

  /** Stops noting and returns the runs touched since {@link #begin()}. */
  static Set<String> end() {
    Set<String> runs = TOUCHED.get();
    TOUCHED.remove();
    return runs == null ? Set.of() : runs;
  }

  @Override
  public void handleEvent(HistoryEvent event) {
    Set<String> runs = TOUCHED.get();
    if (runs != null) {
      String root = event.getRootProcessInstanceId() != null ? event.getRootProcessInstanceId()
          : event.getProcessInstanceId();
      if (root != null) {
        runs.add(root);
      }
    }
  }

  @Override
  public void handleEvents(List<HistoryEvent> events) {
    events.forEach(this::handleEvent);
  }
}
