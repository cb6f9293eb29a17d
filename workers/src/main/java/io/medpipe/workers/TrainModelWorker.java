package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.pipeline.RunContext;
import io.medpipe.system.WorkerProperties;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingService;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "train-model": cross-validates the candidate configurations on the snapshot's training split, refits the one the
 * selection policy picks, renewing its lock meanwhile; the chosen strategy goes to the process for the reviewers.
 */
@Component
@ExternalTaskSubscription(TOPIC_TRAIN_MODEL)
class TrainModelWorker extends Worker {

  private final TrainingService training;
  private final Duration lock;

  TrainModelWorker(TrainingService training, WorkerProperties worker) {
    this.training = training;
    this.lock = worker.trainingLockExtension();
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    RunContext context = RunContext.from(task);
    UUID snapshotId = context.snapshotId();
    String target = context.targetClass();
    TrainingRun run = withLockExtension(task, service, lock,
        () -> training.train(snapshotId, target, task.getProcessInstanceId()));
    Object selection = run.params().get("selection");
    Object strategy = selection instanceof Map<?, ?> s ? s.get("chosen") : run.algorithm();
    return Map.of(VAR_TRAINING_RUN_ID, run.id().toString(), VAR_MODEL_STRATEGY, String.valueOf(strategy));
  }
}
