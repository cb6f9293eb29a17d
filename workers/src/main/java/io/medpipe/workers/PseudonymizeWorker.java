package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.Snapshot;
import io.medpipe.pipeline.RunContext;
import io.medpipe.privacy.PseudonymizationService;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "pseudonymize": identified EHR extract in, pseudonymised snapshot out; the process learns only its id and hash. */
@Component
@ExternalTaskSubscription(TOPIC_PSEUDONYMIZE)
class PseudonymizeWorker extends Worker {

  private final PseudonymizationService pseudonymization;
  private final ObjectMapper json;

  PseudonymizeWorker(PseudonymizationService pseudonymization, ObjectMapper json) {
    this.pseudonymization = pseudonymization;
    this.json = json;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    UUID extractId = RunContext.from(task).extractId();
    Snapshot snapshot = pseudonymization.pseudonymize(extractId, task.getProcessInstanceId());
    return Map.of(VAR_SNAPSHOT_ID, snapshot.id().toString(), VAR_DATASET_HASH, snapshot.contentHash(),
        VAR_ROW_COUNT, snapshot.rowCount(), VAR_CLASS_COUNTS, json.writeValueAsString(snapshot.classCounts()));
  }
}
