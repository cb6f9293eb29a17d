package io.medpipe.serving.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.serving.security.ApiRoutes.Access;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpMethod;

/** The access table: the documented roles, the webhook as the only public path, and nothing granted by accident. */
class ApiRoutesTest {

  @ParameterizedTest
  @CsvSource({
      "POST,/api/v1/predict,PREDICT", "POST,/api/v1/predict/batch,PREDICT", "POST,/api/v1/staging/predict,PREDICT",
      "POST,/api/v1/staging/predict/batch,PREDICT", "GET,/api/v1/model,PREDICT", "GET,/api/v1/staging/model,PREDICT",
      "POST,/api/v1/feedback,FEEDBACK", "GET,/api/v1/predictions,ADMIN", "GET,/api/v1/admin/keys,ADMIN",
      "DELETE,/api/v1/admin/keys/x,ADMIN", "POST,/api/v1/admin/predictions/redactions,ADMIN",
      "GET,/api/v1/reports/x.html,REVIEW", "GET,/api/v1/models/x/card,REVIEW", "GET,/api/v1/evidence/x,REVIEW",
      "POST,/api/v1/webhooks/retrain,PUBLIC", "GET,/api/v1/admin/kill-switch,OPERATE",
      "POST,/api/v1/admin/kill-switch,OPERATE", "DELETE,/api/v1/admin/kill-switch,ADMIN"})
  void everyDocumentedPathNeedsItsRole(String method, String path, Access access) {
    assertThat(ApiRoutes.accessFor(HttpMethod.valueOf(method), path)).contains(access);
  }

  @Test
  void onlyThePostOfTheWebhookIsPublicAndAnythingUnlistedIsDenied() {
    assertThat(ApiRoutes.accessFor(HttpMethod.GET, "/api/v1/webhooks/retrain")).isEmpty();
    assertThat(ApiRoutes.accessFor(HttpMethod.POST, "/api/v1/webhooks/other")).isEmpty();
    assertThat(ApiRoutes.accessFor(HttpMethod.GET, "/api/v2/predict")).isEmpty();
    assertThat(ApiRoutes.accessFor(HttpMethod.GET, "/api/v1/predict/")).as("no trailing-slash match").isEmpty();
    assertThat(ApiRoutes.accessFor(HttpMethod.GET, "/api/v1/Admin/keys")).as("case-sensitive, like MVC").isEmpty();
    assertThat(ApiRoutes.ROUTES).filteredOn(r -> r.access() == Access.PUBLIC).hasSize(1);
  }

  @Test
  void theKillSwitchIsForTheAdminKeyAndThoseWhoRunProductionOnly() {
    assertThat(ApiSecurityConfiguration.operateAuthorities()).containsExactlyInAnyOrder("ROLE_ADMIN",
        "GROUP_operators", "GROUP_devops", "LOGIN_GROUP_operators", "LOGIN_GROUP_devops");
  }

  @Test
  void reviewersEvidenceIsReadableByAdminKeysAndTheMedpipeGroupsOnly() {
    assertThat(ApiSecurityConfiguration.reviewAuthorities()).containsExactlyInAnyOrder("ROLE_ADMIN",
        "GROUP_medical-reviewers", "GROUP_devops", "GROUP_operators", "GROUP_data-scientists", "GROUP_camunda-admin");
    assertThat(Optional.of(ApiRoutes.REVIEW_GROUPS)).get().asList().doesNotContain("medpipe-workers");
  }
}
