package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.system.MedpipeProperties;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingService;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** train-model: trains on the snapshot's training split, renewing its lock while the forest grows. */
@Component
@ExternalTaskSubscription(TOPIC_TRAIN_MODEL)
class TrainModelWorker extends Worker {

  private final TrainingService training;
  private final Duration lock;

  TrainModelWorker(TrainingService training, MedpipeProperties properties) {
    this.training = training;
    this.lock = properties.worker().trainingLockExtension();
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    UUID snapshotId = UUID.fromString(task.getVariable(VAR_SNAPSHOT_ID));
    String target = task.getVariable(VAR_TARGET_CLASS);
    TrainingRun run = withLockExtension(task, service, lock,
        () -> training.train(snapshotId, target, task.getProcessInstanceId()));
    return Map.of(VAR_TRAINING_RUN_ID, run.id().toString());
  }
}
