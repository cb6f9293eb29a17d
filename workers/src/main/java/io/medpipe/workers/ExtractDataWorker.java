package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.ehr.EhrExtractor;
import io.medpipe.ehr.ExtractionService;
import io.medpipe.ehr.FeatureSpec;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "extract-data": reads new documents, finds symptoms in notes, runs the extraction spec over the EHR; the identified extract stays in the EHR schema. */
@Component
@ExternalTaskSubscription(TOPIC_EXTRACT_DATA)
class ExtractDataWorker extends Worker {

  private final ExtractionService extractor;
  private final FeatureSpec spec;

  ExtractDataWorker(ExtractionService extractor, FeatureSpec spec) {
    this.extractor = extractor;
    this.spec = spec;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    EhrExtractor.ExtractSummary extract = extractor.extract(spec, task.getProcessInstanceId());
    return Map.of(VAR_EXTRACT_ID, extract.extractId().toString(), VAR_TARGET_CLASS, spec.targetClass());
  }
}
