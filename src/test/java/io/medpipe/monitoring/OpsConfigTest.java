package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.serving.ServingMeters;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.yaml.snakeyaml.Yaml;

/**
 * The delivery configs in ops/ only name metrics medpipe really exports: every metric in the alert rules and the
 * Grafana dashboards appears in a Prometheus scrape of meters registered by the real classes (the prediction
 * service and recorder after one prediction per slot, the engine gauges, the monitor's meters after one run (real
 * statistics on a small window), Spring's HTTP server observation filter
 * and the JVM memory binder Spring Boot binds). Alertmanager calls the retrain webhook's real path, with a token.
 */
class OpsConfigTest {

  private static final Path OPS = Path.of("ops");
  /** Series Prometheus writes itself for every scrape target, not read from medpipe. */
  private static final Set<String> WRITTEN_BY_PROMETHEUS = Set.of("up");
  private static final Set<String> PROMQL_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

  private static String scrape;
  private static Set<String> exported;

  @BeforeAll
  static void scrapeRealMeters() throws Exception {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ServingMeters.registerByPredicting(meters);
    // constructed as Spring constructs it; refresh() (which queries the engine) is not needed for the names
    new EngineMetrics(null, null, null, meters);
    new JvmMemoryMetrics().bindTo(meters);
    MonitoringMeters.registerByMonitoring(meters);
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    new ServerHttpObservationFilter(observations).doFilter(
        new MockHttpServletRequest("POST", "/api/v1/predict"), new MockHttpServletResponse(), new MockFilterChain());
    scrape = meters.scrape();
    exported = scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void alertRulesUseOnlyExportedMetrics() throws IOException {
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> group : list(yaml(OPS.resolve("prometheus/alerts.yml")).get("groups"))) {
      for (Map<String, Object> rule : list(group.get("rules"))) {
        expressions.add((String) rule.get("expr"));
      }
    }
    assertThat(expressions).hasSizeGreaterThan(5);
    assertOnlyExportedMetrics(expressions, "ops/prometheus/alerts.yml");
  }

  @Test
  void dashboardsUseOnlyExportedMetricsAndTheProvisionedDatasource() throws IOException {
    String datasourceUid = (String) list(yaml(OPS.resolve("grafana/provisioning/datasources/prometheus.yml"))
        .get("datasources")).get(0).get("uid");
    Set<String> uids = new TreeSet<>();
    for (String name : List.of("medpipe-serving.json", "medpipe-pipeline.json",
        "medpipe-monitoring.json")) {
      JsonNode dashboard = new ObjectMapper().readTree(OPS.resolve("grafana/dashboards").resolve(name).toFile());
      assertThat(uids.add(dashboard.path("uid").asText())).as("unique uid in %s", name).isTrue();
      assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
      List<String> expressions = new ArrayList<>();
      for (JsonNode panel : dashboard.path("panels")) {
        assertThat(panel.path("gridPos").path("w").asInt()).as("%s panel %s gridPos", name, panel.path("title"))
            .isPositive();
        assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(datasourceUid);
        for (JsonNode target : panel.path("targets")) {
          assertThat(target.path("datasource").path("uid").asText()).isEqualTo(datasourceUid);
          expressions.add(target.path("expr").asText());
        }
      }
      assertThat(expressions).as(name).isNotEmpty();
      assertOnlyExportedMetrics(expressions, name);
    }
  }

  @Test
  void latencyHistogramsHaveBucketsForBothSlots() {
    // histogram_quantile in the alerts and dashboards needs _bucket series (publishPercentileHistogram)
    for (String slot : List.of("staging", "production")) {
      assertThat(scrape).containsPattern("(?m)^medpipe_prediction_latency_seconds_bucket\\{[^}]*slot=\"" + slot
          + "\"[^}]*le=\"[0-9.]+\"");
    }
    assertThat(scrape).containsPattern("(?m)^medpipe_prediction_record_wait_seconds_bucket\\{le=\"[0-9.]+\"");
  }

  @Test
  void alertmanagerSendsOnlyRetrainAndRecalibrateAlertsToTheWebhookPathWithABearerTokenFile() throws Exception {
    Map<String, Object> config = yaml(OPS.resolve("alertmanager/alertmanager.yml"));
    Map<String, Object> route = map(config.get("route"));
    List<Map<String, Object>> routes = list(route.get("routes"));
    assertThat(routes).hasSize(1);
    assertThat(routes.get(0).get("matchers")).isEqualTo(List.of("action=~\"retrain|recalibrate\""));
    String webhookReceiver = (String) routes.get(0).get("receiver");

    Map<String, Map<String, Object>> receivers = list(config.get("receivers")).stream()
        .collect(Collectors.toMap(r -> (String) r.get("name"), r -> r));
    assertThat(receivers.get((String) route.get("receiver"))).as("default receiver sends nothing to medpipe")
        .containsOnlyKeys("name");
    Map<String, Object> webhook = list(receivers.get(webhookReceiver).get("webhook_configs")).get(0);
    assertThat(URI.create((String) webhook.get("url")).getPath()).isEqualTo(retrainWebhookPath());
    Map<String, Object> authorization = map(map(webhook.get("http_config")).get("authorization"));
    assertThat(authorization.get("type")).isEqualTo("Bearer");
    assertThat((String) authorization.get("credentials_file")).isNotBlank();
    assertThat(authorization).doesNotContainKey("credentials");
  }

  @Test
  void prometheusScrapesTheManagementPortWhichComposeOpensToItsOwnNetworkOnly() throws IOException {
    Map<String, Object> server = map(map(yaml(Path.of("src/main/resources/application.yml")).get("management"))
        .get("server"));
    assertThat(server.get("address")).isEqualTo("${MEDPIPE_MANAGEMENT_ADDRESS:127.0.0.1}");
    String port = ((String) server.get("port")).replaceAll("^\\$\\{MEDPIPE_MANAGEMENT_PORT:(\\d+)}$", "$1");
    assertThat(port).matches("\\d+");

    Map<String, Object> job = list(yaml(OPS.resolve("prometheus/prometheus.yml")).get("scrape_configs")).get(0);
    assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
    List<Map<String, Object>> targets = list(job.get("static_configs"));
    assertThat(String.valueOf(targets.get(0).get("targets"))).isEqualTo("[medpipe:" + port + "]");

    Map<String, Object> medpipe = map(map(yaml(Path.of("docker-compose.yml")).get("services")).get("medpipe"));
    Map<String, Object> environment = map(medpipe.get("environment"));
    assertThat(environment).containsEntry("MEDPIPE_MANAGEMENT_PORT", port)
        .containsEntry("MEDPIPE_MANAGEMENT_ADDRESS", "0.0.0.0");
    assertThat((List<?>) medpipe.get("ports")).as("the management port is not published")
        .noneMatch(p -> String.valueOf(p).contains(port));
  }

  @Test
  void metricNamesAreReadFromPromqlNotItsFunctionsLabelsOrStrings() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (slot, le) (rate(a_bucket{uri=~\"x_y\"}[5m]))) > 1"))
        .containsExactly("a_bucket");
    assertThat(metricNames("sum(rate(b_total[5m])) / on(instance) group_left c > bool 0 and up{job=\"m\"} offset 5m"))
        .containsExactlyInAnyOrder("b_total", "c", "up");
  }

  private static void assertOnlyExportedMetrics(List<String> expressions, String source) {
    Set<String> used = new TreeSet<>();
    expressions.forEach(e -> used.addAll(metricNames(e)));
    assertThat(used).as("metrics in %s", source).isNotEmpty();
    for (String metric : used) {
      assertThat(exported.contains(metric) || WRITTEN_BY_PROMETHEUS.contains(metric))
          .as("%s uses %s, which medpipe does not export; exported: %s", source, metric, exported).isTrue();
    }
  }

  /** Metric names in a PromQL expression: identifiers outside strings, selectors, ranges and groupings. */
  static Set<String> metricNames(String promql) {
    String s = STRING.matcher(promql).replaceAll("\"\"");
    s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      if (!PROMQL_KEYWORDS.contains(m.group(1).toLowerCase())) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static String retrainWebhookPath() throws ClassNotFoundException {
    Class<?> controller = Class.forName("io.medpipe.pipeline.RetrainWebhookController");
    return Arrays.stream(controller.getDeclaredMethods()).map(m -> m.getAnnotation(PostMapping.class))
        .filter(a -> a != null).flatMap(a -> Arrays.stream(a.path())).findFirst().orElseThrow();
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
  private static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }
}
