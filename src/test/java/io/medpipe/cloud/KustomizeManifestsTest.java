package io.medpipe.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The GKE manifests as the cluster would get them: every overlay under deploy/overlays rendered by the real
 * {@code kubectl kustomize}, then checked for what must hold in any environment: non-root pods on a read-only root
 * file system with limits and probes, no secret value, the management port reachable only by the Prometheus
 * collectors, pinned images, each role with its own identity and only its own secrets.
 */
class KustomizeManifestsTest {

  static final Path DEPLOY = Path.of("deploy");
  static final Set<String> ROLES = Set.of("engine", "worker", "api");
  static final int MANAGEMENT_PORT = 8081;

  static List<String> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(DEPLOY.resolve("overlays"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void thereAreStagingAndProductionOverlays() throws IOException {
    assertThat(overlays()).contains("staging", "production");
  }

  /** Runs a command, returns its standard output; fails the test with its error output if it fails. */
  static String run(List<String> command) throws Exception {
    File err = File.createTempFile("medpipe-kubectl", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectError(err).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
      assertThat(p.exitValue()).as("%s failed: %s", command, Files.readString(err.toPath())).isZero();
      return out;
    } finally {
      err.delete();
    }
  }

  /**
   * kubectl is on CI's machine image and .ci/run refuses to run without it; on a developer's machine without it the
   * manifest tests are skipped with a message rather than failing the README's {@code mvn verify}.
   */
  @BeforeAll
  static void kubectlIsInstalled() {
    boolean found;
    try {
      found = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      found = false;
    }
    if (!found && System.getenv("CI") == null) {
      Assumptions.abort("kubectl is not installed: deploy/ not rendered (CI requires it)");
    }
    assertThat(found).as("kubectl on CI's PATH").isTrue();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> render(String overlay) throws Exception {
    String yaml = run(List.of("kubectl", "kustomize", DEPLOY.resolve("overlays").resolve(overlay).toString()));
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(yaml)) {
      if (doc != null) {
        docs.add((Map<String, Object>) doc);
      }
    }
    return docs;
  }

  static List<Map<String, Object>> kind(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
    return kind(docs, kind).stream().filter(d -> name.equals(get(d, "metadata", "name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @SuppressWarnings("unchecked")
  static <T> T get(Object node, String... path) {
    Object o = node;
    for (String key : path) {
      o = o instanceof Map<?, ?> m ? m.get(key) : null;
    }
    return (T) o;
  }

  static List<Map<String, Object>> list(Object o) {
    return o == null ? List.of() : get(Map.of("l", o), "l");
  }

  static String role(Map<String, Object> deployment) {
    return get(deployment, "spec", "template", "metadata", "labels", "app.kubernetes.io/component");
  }

  static Map<String, String> configMap(List<Map<String, Object>> docs) {
    List<Map<String, Object>> maps = kind(docs, "ConfigMap");
    assertThat(maps).hasSize(1);
    return get(maps.get(0), "data");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyRoleRunsNonRootOnAReadOnlyRootWithLimitsAndProbes(String overlay) throws Exception {
    List<Map<String, Object>> deployments = kind(render(overlay), "Deployment");
    assertThat(deployments).extracting(KustomizeManifestsTest::role).containsExactlyInAnyOrderElementsOf(ROLES);
    for (Map<String, Object> d : deployments) {
      String name = get(d, "metadata", "name");
      Map<String, Object> pod = get(d, "spec", "template", "spec");
      assertThat((Boolean) get(pod, "securityContext", "runAsNonRoot")).as(name).isTrue();
      assertThat((Integer) get(pod, "securityContext", "runAsUser")).as(name).isPositive();
      assertThat((String) get(pod, "securityContext", "seccompProfile", "type")).as(name).isEqualTo("RuntimeDefault");
      assertThat(pod.get("hostNetwork")).as(name).isNotEqualTo(true);
      List<Map<String, Object>> containers = new ArrayList<>(list(pod.get("containers")));
      containers.addAll(list(pod.get("initContainers")));
      for (Map<String, Object> c : containers) {
        String what = name + "/" + c.get("name");
        assertThat((Boolean) get(c, "securityContext", "readOnlyRootFilesystem")).as(what).isTrue();
        assertThat((Boolean) get(c, "securityContext", "allowPrivilegeEscalation")).as(what).isFalse();
        assertThat((List<String>) get(c, "securityContext", "capabilities", "drop")).as(what).containsExactly("ALL");
        assertThat(
            get(c, "securityContext", "runAsUser") == null || (Integer) get(c, "securityContext", "runAsUser") > 0)
            .as(what + " runAsUser").isTrue();
        for (String kind : List.of("requests", "limits")) {
          assertThat((Map<String, Object>) get(c, "resources", kind)).as(what + " " + kind)
              .containsKeys("cpu", "memory");
        }
        // memory is not overcommitted: a JVM that grows into its limit is never evicted for exceeding a request
        assertThat((Object) get(c, "resources", "requests", "memory")).as(what)
            .isEqualTo(get(c, "resources", "limits", "memory"));
        assertThat((String) get(c, "livenessProbe", "httpGet", "path")).as(what).isEqualTo("/livez");
        assertThat((String) get(c, "readinessProbe", "httpGet", "path")).as(what).isEqualTo("/readyz");
        assertThat((Object) get(c, "livenessProbe", "httpGet", "port")).as(what).isEqualTo("http");
        assertThat((Object) get(c, "readinessProbe", "httpGet", "port")).as(what).isEqualTo("http");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void imagesArePinnedAndTheSameForEveryRole(String overlay) throws Exception {
    Set<String> images = new TreeSet<>();
    for (Map<String, Object> d : kind(render(overlay), "Deployment")) {
      for (Map<String, Object> c : list(get(d, "spec", "template", "spec", "containers"))) {
        images.add((String) c.get("image"));
      }
    }
    assertThat(images).hasSize(1);
    String image = images.iterator().next();
    assertThat(image).as("a registry path with a tag or digest")
        .matches("[a-z0-9.-]+/.+(:[\\w.-]+|@sha256:[0-9a-f]{64})")
        .doesNotEndWith(":latest");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void jenkinsRendersTheOverlayWithTheDigestItBuilt(String overlay) throws Exception {
    String repo = kind(render(overlay), "Deployment").stream()
        .map(d -> (String) list(get(d, "spec", "template", "spec", "containers")).get(0).get("image"))
        .findFirst().orElseThrow().replaceAll("[:@].*$", "");
    String image = repo + "@sha256:" + "0123456789abcdef".repeat(4);

    String rendered = run(List.of("bash", "deploy/render.sh", overlay, image));

    List<String> images = rendered.lines().map(String::trim).filter(l -> l.startsWith("image:")).toList();
    assertThat(images).hasSize(3).containsOnly("image: " + image);
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void noSecretValueIsInTheManifests(String overlay) throws Exception {
    List<Map<String, Object>> docs = render(overlay);
    assertThat(kind(docs, "Secret")).isEmpty();
    // a name that says secret, except the directory the secrets are mounted in
    String secretName = "(?i)(?!.*_DIR$).*(PASSWORD|SECRET|TOKEN|KEY).*";
    assertThat(configMap(docs).keySet()).as("config keys").noneMatch(k -> k.matches(secretName));
    for (Map<String, Object> d : kind(docs, "Deployment")) {
      for (Map<String, Object> c : list(get(d, "spec", "template", "spec", "containers"))) {
        for (Map<String, Object> e : list(c.get("env"))) {
          if (((String) e.get("name")).matches(secretName)) {
            assertThat(e).as("%s env %s", get(d, "metadata", "name"), e.get("name")).doesNotContainKey("value");
          }
          assertThat((Object) get(e, "valueFrom", "secretKeyRef")).isNull();
        }
      }
    }
    // what is rendered for a real project names no placeholder either
    assertThat(new Yaml().dumpAll(docs.iterator())).doesNotContain("PROJECT_ID");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachRoleReadsOnlyItsOwnSecretsFromItsProjectsSecretManager(String overlay) throws Exception {
    List<Map<String, Object>> docs = render(overlay);
    String project = configMap(docs).get("GOOGLE_CLOUD_PROJECT");
    Map<String, Set<String>> expected = Map.of(
        "engine", Set.of("MEDPIPE_ADMIN_PASSWORD", "MEDPIPE_WORKER_PASSWORD", "MEDPIPE_PSEUDONYM_KEY",
            "MEDPIPE_WEBHOOK_TOKEN", "MEDPIPE_API_ADMIN_KEY", "MEDPIPE_API_SERVICE_KEY", "MEDPIPE_REFERENCE_KEY"),
        "worker", Set.of("MEDPIPE_WORKER_PASSWORD", "MEDPIPE_PSEUDONYM_KEY", "MEDPIPE_API_SERVICE_KEY"),
        // the API node never pseudonymises and never logs in to the engine
        "api", Set.of("MEDPIPE_API_ADMIN_KEY", "MEDPIPE_API_SERVICE_KEY", "MEDPIPE_REFERENCE_KEY"));
    for (Map<String, Object> d : kind(docs, "Deployment")) {
      String role = role(d);
      Map<String, Object> pod = get(d, "spec", "template", "spec");
      String spcName = list(pod.get("volumes")).stream().map(v -> (String) get(v, "csi", "volumeAttributes",
          "secretProviderClass")).filter(Objects::nonNull).findFirst().orElseThrow();
      assertThat(spcName).isEqualTo("medpipe-" + role);
      List<Map<String, Object>> secrets = new Yaml().load((String) get(named(docs, "SecretProviderClass", spcName),
          "spec", "parameters", "secrets"));
      assertThat(secrets).extracting(s -> (String) s.get("path")).as(role)
          .containsExactlyInAnyOrderElementsOf(expected.get(role));
      assertThat(secrets).extracting(s -> (String) s.get("resourceName")).as(role)
          .allMatch(r -> r.matches("projects/" + project + "/secrets/medpipe-[a-z-]+/versions/latest"));
      // its own Kubernetes and Google service account, in this project
      String sa = (String) pod.get("serviceAccountName");
      assertThat(sa).isEqualTo("medpipe-" + role);
      assertThat((String) get(named(docs, "ServiceAccount", sa), "metadata", "annotations",
          "iam.gke.io/gcp-service-account")).isEqualTo("medpipe-" + role + "@" + project + ".iam.gserviceaccount.com");
      assertThat(configMap(docs).get("MEDPIPE_DB_USER_" + role.toUpperCase()))
          .isEqualTo("medpipe-" + role + "@" + project + ".iam");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void onlyThePrometheusCollectorsReachTheManagementPort(String overlay) throws Exception {
    List<Map<String, Object>> docs = render(overlay);
    Map<String, String> config = configMap(docs);
    assertThat(config).containsEntry("MEDPIPE_MANAGEMENT_PORT", String.valueOf(MANAGEMENT_PORT))
        .containsEntry("MEDPIPE_MANAGEMENT_ADDRESS", "0.0.0.0");
    for (Map<String, Object> d : kind(docs, "Deployment")) {
      Map<String, Object> c = list(get(d, "spec", "template", "spec", "containers")).get(0);
      assertThat(list(c.get("ports"))).as(role(d))
          .contains(Map.of("name", "management", "containerPort", MANAGEMENT_PORT));
      assertThat((Map<String, Object>) get(d, "spec", "template", "metadata", "labels"))
          .containsEntry("app.kubernetes.io/name", "medpipe");
    }
    // no Service forwards to it
    for (Map<String, Object> s : kind(docs, "Service")) {
      assertThat(get(s, "spec", "type") == null || "ClusterIP".equals(get(s, "spec", "type"))).isTrue();
      for (Map<String, Object> p : list(get(s, "spec", "ports"))) {
        assertThat(List.of(p.get("port"), String.valueOf(p.get("targetPort")))).as((String) get(s, "metadata", "name"))
            .doesNotContain(MANAGEMENT_PORT, "management", String.valueOf(MANAGEMENT_PORT));
      }
    }
    // every policy that selects medpipe's pods admits the management port only from the collectors
    List<Map<String, Object>> policies = kind(docs, "NetworkPolicy");
    assertThat(policies).isNotEmpty();
    boolean collectorsAdmitted = false;
    for (Map<String, Object> policy : policies) {
      assertThat((Map<String, Object>) get(policy, "spec", "podSelector", "matchLabels"))
          .containsEntry("app.kubernetes.io/name", "medpipe");
      assertThat((List<String>) get(policy, "spec", "policyTypes")).contains("Ingress");
      for (Map<String, Object> rule : list(get(policy, "spec", "ingress"))) {
        List<Map<String, Object>> ports = list(rule.get("ports"));
        assertThat(ports).as("a rule without ports admits every port").isNotEmpty();
        boolean management = ports.stream().anyMatch(p -> "management".equals(p.get("port"))
            || Integer.valueOf(MANAGEMENT_PORT).equals(p.get("port")) || p.containsKey("endPort"));
        if (management) {
          assertThat(list(rule.get("from"))).as("sources of the management port").containsExactly(Map.of(
              "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "gmp-system")),
              "podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "collector"))));
          collectorsAdmitted = true;
        }
      }
    }
    assertThat(collectorsAdmitted).as("the collectors may scrape").isTrue();
    // and the collectors scrape that port
    Map<String, Object> monitoring = named(docs, "PodMonitoring", "medpipe");
    assertThat(list(get(monitoring, "spec", "endpoints"))).extracting(e -> e.get("port")).containsExactly("management");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyRoleHasADisruptionBudgetAndWorkersAndApiNodesScale(String overlay) throws Exception {
    List<Map<String, Object>> docs = render(overlay);
    Set<String> budgeted = kind(docs, "PodDisruptionBudget").stream()
        .map(p -> (String) get(p, "spec", "selector", "matchLabels", "app.kubernetes.io/component"))
        .collect(Collectors.toSet());
    assertThat(budgeted).containsExactlyInAnyOrderElementsOf(ROLES);
    Set<String> scaled = kind(docs, "HorizontalPodAutoscaler").stream()
        .map(h -> (String) get(h, "spec", "scaleTargetRef", "name")).collect(Collectors.toSet());
    assertThat(scaled).containsExactlyInAnyOrder("medpipe-worker", "medpipe-api");
    // the autoscaler owns their replica count: a manifest that sets one would reset it at every deploy
    for (String name : scaled) {
      assertThat((Object) get(named(docs, "Deployment", name), "spec", "replicas")).as(name).isNull();
    }
    // the worker autoscaler's external metric is one the autoscaling rules record
    String metric = list(get(named(docs, "HorizontalPodAutoscaler", "medpipe-worker"), "spec", "metrics")).stream()
        .map(m -> (String) get(m, "external", "metric", "name")).filter(Objects::nonNull).findFirst().orElseThrow();
    String recorded = list(get(named(docs, "Rules", "medpipe-autoscaling"), "spec", "groups")).stream()
        .flatMap(g -> list(g.get("rules")).stream()).map(r -> (String) r.get("record")).findFirst().orElseThrow();
    assertThat(metric).isEqualTo("prometheus.googleapis.com|" + recorded + "|gauge");
    assertThat(get(named(docs, "Namespace", (String) get(kind(docs, "Deployment").get(0), "metadata", "namespace")),
        "metadata", "labels", "pod-security.kubernetes.io/enforce").toString()).isEqualTo("restricted");
  }
}
