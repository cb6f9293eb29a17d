package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.dataset.EdaService;
import io.medpipe.pipeline.RunContext;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "eda": stores the imbalance report; the process gets the figures a strategy choice needs. */
@Component
@ExternalTaskSubscription(TOPIC_EDA)
class EdaWorker extends Worker {

  private final EdaService eda;

  EdaWorker(EdaService eda) {
    this.eda = eda;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    EdaService.Result result = eda.analyse(RunContext.from(task).snapshotId(), task.getProcessInstanceId());
    return Map.of(VAR_EDA_REPORT_ID, result.reportId().toString(),
        VAR_IMBALANCE_RATIO, result.report().imbalanceRatio(),
        VAR_MINORITY_CLASS, result.report().minorityClass(),
        VAR_MINORITY_COUNT, result.report().minorityCount());
  }
}
