package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.champion.ChampionChallenger;
import io.medpipe.champion.ChampionComparison;
import io.medpipe.pipeline.RunContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "compare-champion": the challenger against the champion on the same held-out patients (paired bootstrap);
 * the comparison is stored, and the DMN table after this step decides on the figures this step returns.
 */
@Component
@ExternalTaskSubscription(TOPIC_COMPARE_CHAMPION)
class CompareChampionWorker extends Worker {

  private final ChampionChallenger comparison;

  CompareChampionWorker(ChampionChallenger comparison) {
    this.comparison = comparison;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    var version = RunContext.from(task).modelVersionId();
    Object run = task.getVariable(VAR_PIPELINE_RUN_ID);
    if (run != null && !(run instanceof String)) {
      throw new IllegalArgumentException("process variable " + VAR_PIPELINE_RUN_ID + " is not text");
    }
    ChampionComparison c = withLockExtension(task, service, Duration.ofMinutes(2),
        () -> comparison.compare(task.getProcessInstanceId(), (String) run, version));
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_CHAMPION_COMPARISON_ID, c.id().toString());
    variables.put(VAR_COMPARISON_STATUS, c.status().id());
    variables.put(VAR_COMPARED_RARE_CASES, c.rareCases());
    variables.put(VAR_RECALL_DIFFERENCE_LOWER, c.recallDifferenceLower());
    variables.put(VAR_AUPRC_DIFFERENCE_LOWER, c.auprcDifferenceLower());
    return variables;
  }
}
