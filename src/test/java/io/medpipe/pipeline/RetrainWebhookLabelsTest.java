package io.medpipe.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.pipeline.RetrainWebhookController.Alert;
import io.medpipe.pipeline.RetrainWebhookController.AlertmanagerPayload;
import io.medpipe.system.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review finding M3: the webhook stored Alertmanager's group key and alert names verbatim as run variables, so a label
 * holding a patient's name or record number was readable by every Cockpit user. Only the alert names are kept, and
 * only in the shape of an alerting rule's name; the group key is kept as its hash.
 */
class RetrainWebhookLabelsTest {

  @Test
  void keepsAlertNamesOnlyInTheShapeOfARuleName() {
    assertThat(RetrainWebhookController.alertNames(payload("RecallDropped", "RecallDropped", "Medpipe_Down")))
        .containsExactly("RecallDropped", "Medpipe_Down");
    for (String label : List.of("Huber Elena MRN-82353348", "patient=\"Elena Huber 902-44-8239\"", "elena1958",
        "MRN82353348", "x".repeat(65))) {
      assertThatThrownBy(() -> RetrainWebhookController.alertNames(payload("RecallDropped", label)))
          .as(label).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.problems()).extracting(InvalidRequestException.FieldProblem::field)
                .containsExactly("alerts[1].labels.alertname");
            assertThat(e.problems().get(0).message()).doesNotContain("Huber", "8235", "1958");
          });
    }
  }

  @Test
  void theGroupKeyIsKeptAsItsHashOnly() {
    String key = RetrainWebhookController.businessKey("{}:{patient=\"Elena Huber 902-44-8239\"}");
    assertThat(key).matches("alert-[0-9a-f]{16}");
  }

  private static AlertmanagerPayload payload(String... names) {
    return new AlertmanagerPayload("4", "{}:{alertname=\"x\"}", "firing", "medpipe", Map.of(),
        java.util.Arrays.stream(names).map(n -> new Alert("firing", Map.of("alertname", n), Map.of())).toList());
  }
}
