package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.recalibration.RecalibrationService;
import io.medpipe.recalibration.RecalibrationService.Recalibrated;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "recalibrate-model": the champion of a recalibration run re-based to the prior its drift report estimated, as
 * a new training run; hands on what evaluation and the later stages read (the run, its snapshot and target class).
 */
@Component
@ExternalTaskSubscription(TOPIC_RECALIBRATE_MODEL)
class RecalibrateModelWorker extends Worker {

  private final RecalibrationService recalibration;

  RecalibrateModelWorker(RecalibrationService recalibration) {
    this.recalibration = recalibration;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    Recalibrated done = recalibration.recalibrate(task.getProcessInstanceId());
    return Map.of(VAR_TRAINING_RUN_ID, done.run().id().toString(), VAR_SNAPSHOT_ID,
        done.run().snapshotId().toString(), VAR_TARGET_CLASS, done.run().targetClass(), VAR_MODEL_STRATEGY,
        done.summary());
  }
}
