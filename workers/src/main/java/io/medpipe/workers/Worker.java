package io.medpipe.workers;

import io.medpipe.system.WorkerProperties;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskHandler;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;

/**
 * What every medpipe handler shares: complete with the variables its step returns, turn a business outcome
 * into a BPMN error, and turn a failure into a readable failure report that, once the retries are used up,
 * becomes an incident in Cockpit. Handlers stay thin: read ids, call one service method, return variables.
 */
abstract class Worker implements ExternalTaskHandler {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final ScheduledExecutorService LOCK_EXTENDER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "medpipe-lock-extender");
    t.setDaemon(true);
    return t;
  });

  private int retries = 2;
  private long retryDelayMs = 10_000;

  @Autowired
  void retryPolicy(WorkerProperties worker) {
    this.retries = worker.retries();
    this.retryDelayMs = worker.retryDelay().toMillis();
  }

  /** Does the step; returns the variables to complete the task with. */
  abstract Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception;

  @Override
  public final void execute(ExternalTask task, ExternalTaskService service) {
    Map<String, Object> variables;
    try {
      variables = work(task, service);
    } catch (BpmnFailure e) {
      log.info("{} for process instance {}: {} ({})", task.getTopicName(), task.getProcessInstanceId(), e.code,
          e.getMessage());
      service.handleBpmnError(task, e.code, e.getMessage(), e.variables);
      return;
    } catch (Exception e) {
      int left = Math.max(0, task.getRetries() == null ? retries : task.getRetries() - 1);
      String message = readable(e);
      log.warn("{} failed for process instance {} ({} retries left): {}", task.getTopicName(),
          task.getProcessInstanceId(), left, message);
      service.handleFailure(task, message, details(e), left, retryDelayMs);
      return;
    }
    service.complete(task, variables);
  }

  /** Runs a long step while renewing the task's lock, so the engine does not hand it to another worker. */
  static <T> T withLockExtension(ExternalTask task, ExternalTaskService service, Duration lock, Callable<T> step)
      throws Exception {
    long period = Math.max(1000, lock.toMillis() / 2);
    var renewal = LOCK_EXTENDER.scheduleAtFixedRate(() -> {
      try {
        service.extendLock(task, lock.toMillis());
      } catch (RuntimeException e) {
        log.warn("could not extend the lock of {}: {}", task.getTopicName(), e.getMessage());
      }
    }, period, period, TimeUnit.MILLISECONDS);
    try {
      return step.call();
    } finally {
      renewal.cancel(false);
    }
  }

  /**
   * The incident message: the failure in words. Database errors are reduced to their SQL state, because a
   * driver message can quote row values and incident messages end up in logs and in Cockpit.
   */
  static String readable(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof DataAccessException || root instanceof SQLException) {
        break;
      }
      root = root.getCause();
    }
    if (root instanceof DataAccessException || root instanceof SQLException) {
      SQLException sql = root instanceof SQLException s ? s
          : root.getCause() instanceof SQLException s ? s : null;
      return "database error" + (sql == null ? "" : " (SQLState " + sql.getSQLState() + ")")
          + "; see the database server's log";
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.length() > 500 ? message.substring(0, 500) + "..." : message;
  }

  /** The incident details: the chain of exception types, without messages that could carry data. */
  static String details(Throwable e) {
    StringBuilder sb = new StringBuilder(readable(e)).append("\n\ncaused by:");
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      sb.append("\n  ").append(t.getClass().getName());
      StackTraceElement[] trace = t.getStackTrace();
      if (trace.length > 0) {
        sb.append(" at ").append(trace[0]);
      }
    }
    return sb.toString();
  }

  /** A business outcome the BPMN handles with an error boundary event. */
  static final class BpmnFailure extends Exception {
    final String code;
    final Map<String, Object> variables;

    BpmnFailure(String code, String message, Map<String, Object> variables) {
      super(message);
      this.code = code;
      this.variables = variables;
    }
  }
}
