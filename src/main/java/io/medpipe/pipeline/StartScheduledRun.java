package io.medpipe.pipeline;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * Starts one pipeline run for a firing of the retraining schedule, through the pipeline's "Scheduled retraining"
 * message start, with a business key naming the time it was due.
 */
public class StartScheduledRun implements JavaDelegate {

  private static final DateTimeFormatter KEY = DateTimeFormatter.ofPattern("'schedule-'yyyyMMdd'T'HHmm'Z'");

  @Override
  public void execute(DelegateExecution execution) {
    execution.getProcessEngineServices().getRuntimeService()
        .createMessageCorrelation(ProcessConstants.MESSAGE_SCHEDULED_RETRAINING_DUE)
        .processInstanceBusinessKey(KEY.format(ZonedDateTime.now(ZoneOffset.UTC)))
        .correlateStartMessage();
  }
}
