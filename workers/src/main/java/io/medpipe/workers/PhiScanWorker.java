package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.privacy.PhiScanService;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "phi-scan": a leak of any patient identifier outside the EHR fails the step, which becomes an incident. */
@Component
@ExternalTaskSubscription(TOPIC_PHI_SCAN)
class PhiScanWorker extends Worker {

  private final PhiScanService scan;

  PhiScanWorker(PhiScanService scan) {
    this.scan = scan;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    PhiScanService.ScanReport report = scan.scanAll();
    if (!report.clean()) {
      throw new IllegalStateException(report.summary());
    }
    return Map.of(VAR_PHI_SCAN_SUMMARY, report.summary());
  }
}
