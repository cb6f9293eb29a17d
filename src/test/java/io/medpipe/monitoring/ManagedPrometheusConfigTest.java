package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Managed Service for Prometheus on GKE watches medpipe as the docker-compose Prometheus does: the same alert rules
 * (deploy/base/monitoring/rules.yaml carries ops/prometheus/alerts.yml's groups unchanged), the same endpoint and
 * job name, and the autoscaling rule reads a metric medpipe exports.
 */
class ManagedPrometheusConfigTest {

  static final Path MONITORING = Path.of("deploy/base/monitoring");

  @Test
  void theRulesResourceCarriesExactlyTheAlertRulesOfOps() throws IOException {
    Map<String, Object> alerts = yaml(Path.of("ops/prometheus/alerts.yml"));
    Map<String, Object> rules = yaml(MONITORING.resolve("rules.yaml"));

    assertThat(rules.get("apiVersion")).isEqualTo("monitoring.googleapis.com/v1");
    assertThat(rules.get("kind")).isEqualTo("Rules");
    assertThat(alerts.keySet()).containsExactly("groups");
    // group by group, so a difference names the group; then the whole, so nothing is added or left out
    List<?> expected = (List<?>) alerts.get("groups");
    List<?> actual = (List<?>) map(rules.get("spec")).get("groups");
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      assertThat(actual.get(i)).as("group %d of rules.yaml (copy ops/prometheus/alerts.yml's groups into it)", i)
          .isEqualTo(expected.get(i));
    }
    assertThat(map(rules.get("spec"))).containsOnlyKeys("groups");
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void scrapesTheEndpointAndJobThatTheAlertsName() throws IOException {
    Map<String, Object> compose = map(
        list(yaml(Path.of("ops/prometheus/prometheus.yml")).get("scrape_configs")).get(0));
    Map<String, Object> podMonitoring = yaml(MONITORING.resolve("podmonitoring.yaml"));

    // GMP labels a PodMonitoring's series with job = its name; the alerts select up{job="medpipe"}
    assertThat(map(podMonitoring.get("metadata")).get("name")).isEqualTo(compose.get("job_name"));
    Map<String, Object> endpoint = map(list(map(podMonitoring.get("spec")).get("endpoints")).get(0));
    assertThat(endpoint.get("path")).isEqualTo(compose.get("metrics_path"));
    assertThat(endpoint.get("port")).isEqualTo("management");
    assertThat(endpoint.get("interval")).isEqualTo(map(yaml(Path.of("ops/prometheus/prometheus.yml")).get("global"))
        .get("scrape_interval"));
  }

  @Test
  void theAutoscalingRuleReadsTheBacklogMedpipeExports() throws IOException {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new EngineMetrics(null, null, null, meters);
    String scrape = meters.scrape();
    Map<String, Object> rules = yaml(MONITORING.resolve("autoscaling-rules.yaml"));
    for (Object group : list(map(rules.get("spec")).get("groups"))) {
      for (Object rule : list(map(group).get("rules"))) {
        for (String metric : OpsConfigTest.metricNames((String) map(rule).get("expr"))) {
          assertThat(scrape).as("%s is exported", metric).containsPattern("(?m)^" + metric + "[{ ]");
        }
      }
    }
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return new Yaml().load(reader);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }
}
