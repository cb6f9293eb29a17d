package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.privacy.PhiScanService;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "phi-scan": a leak of any patient identifier outside the EHR, in a shared place or in this run's own records,
 * fails the step, which becomes an incident; one in another run's records is named in the summary and logged.
 */
@Component
@ExternalTaskSubscription(TOPIC_PHI_SCAN)
class PhiScanWorker extends Worker {

  private final PhiScanService scan;

  PhiScanWorker(PhiScanService scan) {
    this.scan = scan;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    PhiScanService.ScanReport report = scan.scanFor(task.getProcessInstanceId());
    if (!report.clean()) {
      throw new IllegalStateException(report.summary());
    }
    return Map.of(VAR_PHI_SCAN_SUMMARY, report.summary());
  }
}
