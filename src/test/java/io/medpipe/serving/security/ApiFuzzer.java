package io.medpipe.serving.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Seeded malformed requests against medpipe's API: bodies (truncated, wrong types, huge numbers, deep nesting, NaN,
 * nulls, unicode and invalid UTF-8, byte order marks, UTF-16, duplicate keys, trailing data, identifiers in every
 * field), headers (content types, accept, keys), methods and paths (the variants of {@link PathVariants}, odd ids and
 * query strings). Most requests carry a valid key, so they reach the handlers rather than stop at authentication.
 */
final class ApiFuzzer {

  /** One route of the API: method, a concrete path, a valid JSON body (null for none). */
  record Route(String method, String path, String body) {}

  /** One request to send. */
  record Request(String method, String target, Map<String, String> headers, byte[] body, String kind) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"};
  private static final String[] CONTENT_TYPES = {"text/plain", "application/xml", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x", "application/json;charset=ISO-8859-1", "application/json; charset=UTF-16",
      "application/problem+json", "application/*", "*/*", "application/json;;", "garbage", ""};
  private static final String[] ACCEPTS = {"text/html", "application/xml", "*/*;q=0", "application/json",
      "image/png", "text/*", "application/problem+json", "x/y;q=abc"};

  private final Random random;
  private final List<Route> routes;
  private final Map<String, String> keys;
  private final String webhookToken;
  private final List<String> identifiers;

  /**
   * @param keys        API keys by role name ("admin", "predict", "feedback")
   * @param identifiers real patient identifiers of the EHR, planted into fields; none may reach a log or record
   */
  ApiFuzzer(long seed, List<Route> routes, Map<String, String> keys, String webhookToken, List<String> identifiers) {
    this.random = new Random(seed);
    this.routes = routes;
    this.keys = keys;
    this.webhookToken = webhookToken;
    this.identifiers = identifiers;
  }

  Request next() {
    Route route = routes.get(random.nextInt(routes.size()));
    Map<String, String> headers = new LinkedHashMap<>();
    String method = route.method();
    String target = route.path();
    byte[] body = null;
    String kind;
    boolean webhook = route.path().startsWith("/api/v1/webhooks/");
    credentials(headers, webhook);
    int dice = random.nextInt(100);
    if (route.body() != null && dice < 60) {
      headers.put("Content-Type", "application/json");
      Mutated m = mutateBody(route.body(), webhook);
      body = m.bytes();
      kind = "body:" + m.kind();
    } else if (dice < 70) {
      method = METHODS[random.nextInt(METHODS.length)];
      kind = "method";
      if (route.body() != null && random.nextBoolean()) {
        headers.put("Content-Type", "application/json");
        body = route.body().getBytes(StandardCharsets.UTF_8);
        if (webhook) {
          body = truncate(body);
        }
      }
    } else if (dice < 78) {
      List<String> variants = PathVariants.of(route.path());
      target = variants.get(random.nextInt(variants.size()));
      kind = "path-variant";
      if (route.body() != null) {
        headers.put("Content-Type", "application/json");
        body = webhook ? truncate(route.body().getBytes(StandardCharsets.UTF_8))
            : route.body().getBytes(StandardCharsets.UTF_8);
      }
    } else if (dice < 86) {
      target = oddTarget(route.path());
      kind = "path-or-query";
      if (route.body() != null) {
        headers.put("Content-Type", "application/json");
        body = webhook ? truncate(route.body().getBytes(StandardCharsets.UTF_8))
            : route.body().getBytes(StandardCharsets.UTF_8);
      }
    } else {
      kind = "headers";
      if (route.body() != null) {
        body = webhook ? truncate(route.body().getBytes(StandardCharsets.UTF_8))
            : route.body().getBytes(StandardCharsets.UTF_8);
        headers.put("Content-Type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
      }
      headers.put("Accept", ACCEPTS[random.nextInt(ACCEPTS.length)]);
      if (random.nextBoolean()) {
        headers.put("X-Forwarded-For", identifiers.get(random.nextInt(identifiers.size())).replaceAll("\\s", ""));
      }
    }
    if (target.contains("/predict") && !target.contains("?") && random.nextInt(10) != 0) {
      // explanations cost tens of milliseconds each and are not what a malformed request exercises
      target += "?explain=false";
    }
    if (headers.containsKey("Content-Type") && headers.get("Content-Type").isEmpty()) {
      headers.remove("Content-Type");
    }
    return new Request(method, target, headers, body, kind);
  }

  private void credentials(Map<String, String> headers, boolean webhook) {
    if (webhook) {
      // never a valid token with a valid body: the fuzz must not start pipeline runs
      headers.put("Authorization", "Bearer " + (random.nextInt(3) == 0 ? "wrong" : webhookToken));
      return;
    }
    int dice = random.nextInt(100);
    if (dice < 70) {
      headers.put("X-API-Key", keys.get("admin"));
    } else if (dice < 80) {
      headers.put("Authorization", "Bearer " + keys.get("predict"));
    } else if (dice < 85) {
      headers.put("X-API-Key", keys.get("feedback"));
    } else if (dice < 90) {
      headers.put("X-API-Key", "x".repeat(random.nextInt(300)));
    } else if (dice < 95) {
      headers.put("Authorization", random.nextBoolean() ? "Bearer" : "Basic " + "YWRtaW46ZGVtbw==");
    }
  }

  private record Mutated(byte[] bytes, String kind) {}

  private Mutated mutateBody(String valid, boolean webhook) {
    byte[] utf8 = valid.getBytes(StandardCharsets.UTF_8);
    switch (random.nextInt(webhook ? 7 : 16)) {
      case 0 :
        return new Mutated(truncate(utf8), "truncated");
      case 1 :
        return new Mutated(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8), "bom");
      case 2 :
        return new Mutated(valid.getBytes(random.nextBoolean() ? StandardCharsets.UTF_16LE
            : StandardCharsets.UTF_16), "utf16");
      case 3 :
        return new Mutated(duplicateKey(valid).getBytes(StandardCharsets.UTF_8), "duplicate-key");
      case 4 :
        return new Mutated((valid + pick("}", " x", "{\"a\":1}", "]", "\u0000", "//", ",")).getBytes(
            StandardCharsets.UTF_8), "trailing");
      case 5 :
        return new Mutated(randomBytes(), "random-bytes");
      case 6 :
        return new Mutated(pick("", " ", "\n", "{", "[", "\"", "{\"", "{}}", "nul", "[]]")
            .getBytes(StandardCharsets.UTF_8), "broken");
      case 7 :
        return new Mutated(deep().getBytes(StandardCharsets.UTF_8), "deep-nesting");
      case 8 :
        return new Mutated(pick("null", "[]", "{}", "0", "\"x\"", "true", "[null]", "{\"features\":null}",
            "{\"requests\":null}", "{\"requests\":[null]}").getBytes(StandardCharsets.UTF_8), "nulls");
      case 9 :
        return new Mutated(invalidUtf8(utf8), "invalid-utf8");
      case 10 :
        return new Mutated(withHugeString(valid), "huge-string");
      default :
        return new Mutated(replaceValue(valid).getBytes(StandardCharsets.UTF_8), "wrong-value");
    }
  }

  /** A value somewhere in the document replaced by one of a wrong type, size, encoding or an identifier. */
  private String replaceValue(String valid) {
    try {
      JsonNode root = JSON.readTree(valid);
      List<JsonNode> containers = new ArrayList<>();
      collect(root, containers);
      JsonNode target = containers.get(random.nextInt(containers.size()));
      JsonNode weird = weirdValue();
      if (target instanceof ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty() || random.nextInt(4) == 0) {
          o.set(pick("patientName", "mrn", "ssn", "email", "phone", "dob", "unknown", "features", "\u202e"), weird);
        } else {
          o.set(names.get(random.nextInt(names.size())), weird);
        }
      } else if (target instanceof ArrayNode a && !a.isEmpty()) {
        a.set(random.nextInt(a.size()), weird);
      }
      String text = JSON.writeValueAsString(root);
      String raw = pick("NaN", "Infinity", "-Infinity", "1e999999", "-1e-999999", "0x10", "0012", "+1", ".5",
          "1" + "0".repeat(1200), "123456789012345678901234567890", "9".repeat(40) + ".5e-3");
      return random.nextInt(4) == 0 ? text.replaceFirst(":\\s*(-?\\d+(\\.\\d+)?|true|false|null|\"[^\"]*\")",
          ":" + raw) : text;
    } catch (Exception e) {
      return valid;
    }
  }

  private JsonNode weirdValue() {
    String identifier = identifiers.get(random.nextInt(identifiers.size()));
    return switch (random.nextInt(16)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.arrayNode().add(1).add("x");
      case 2 -> NODES.objectNode().put("a", 1);
      case 3 -> NODES.textNode(identifier);
      case 4 -> NODES.textNode("\ud83e\uddec\u200b\u202e" + identifier + "\u0000");
      case 5 -> NODES.numberNode(Double.MAX_VALUE);
      case 6 -> NODES.numberNode(-1);
      case 7 -> NODES.numberNode(Long.MIN_VALUE);
      case 8 -> NODES.textNode("x".repeat(5000));
      case 9 -> NODES.booleanNode(true);
      case 10 -> NODES.textNode(UUID.randomUUID().toString());
      case 11 -> NODES.textNode("2026-13-45T99:99:99Z");
      case 12 -> NODES.textNode("\ud800");
      case 13 -> NODES.numberNode(new java.math.BigDecimal("1e400"));
      case 14 -> NODES.textNode("<script>alert(1)</script>");
      default -> NODES.textNode(identifier.replace(" ", "_"));
    };
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }

  private String duplicateKey(String valid) {
    int colon = valid.indexOf(':');
    int open = valid.indexOf('{');
    if (colon < 0 || open < 0) {
      return valid + valid;
    }
    String firstKey = valid.substring(open + 1, colon).trim();
    return "{" + firstKey + ": " + pick("1", "null", "\"x\"", "{}") + ", " + valid.substring(open + 1);
  }

  private String deep() {
    int depth = 1000 + random.nextInt(4000);
    boolean arrays = random.nextBoolean();
    String inner = arrays ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    return random.nextBoolean() ? inner : "{\"features\":" + inner + "}";
  }

  private byte[] withHugeString(String valid) {
    int size = random.nextInt(4) == 0 ? 300_000 : 20_000;
    return (valid.substring(0, valid.length() - 1) + ", \"pad\": \"" + "y".repeat(size) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private byte[] invalidUtf8(byte[] valid) {
    byte[] out = valid.clone();
    int at = random.nextInt(out.length);
    int[] invalid = {0xC3, 0xFF, 0x80, 0xED, 0xF8};
    out[at] = (byte) invalid[random.nextInt(invalid.length)];
    return out;
  }

  private byte[] truncate(byte[] body) {
    return java.util.Arrays.copyOf(body, random.nextInt(Math.max(1, body.length - 1)));
  }

  private byte[] randomBytes() {
    byte[] b = new byte[random.nextInt(200)];
    random.nextBytes(b);
    return b;
  }

  private String oddTarget(String path) {
    String id = pick("x", "..", "%00", "%2e%2e", "null", "-1", "00000000-0000-0000-0000-000000000000",
        "%F0%9F%A7%AC", "a".repeat(3000), "%ZZ", UUID.randomUUID() + "%20", identifiers.get(
            random.nextInt(identifiers.size())).replaceAll("[^A-Za-z0-9-]", ""));
    String withId = path.matches(".*/[0-9a-f-]{36}(\\.html|/card(\\.json)?)?$")
        ? path.replaceFirst("[0-9a-f-]{36}", id) : path;
    String query = pick("", "?page=-1", "?size=100000", "?from=yesterday", "?to=2026-02-30T00:00:00Z",
        "?modelVersion=x", "?explain=maybe", "?explain=", "?page=9999999999999", "?size=1&size=2", "?%ZZ=1",
        "?a=" + "b".repeat(5000), "?from=2020-01-01T00:00:00Z&to=2019-01-01T00:00:00Z",
        "?%ZZ=" + identifiers.get(random.nextInt(identifiers.size())).replaceAll("[^A-Za-z0-9-]", ""),
        "?page=" + identifiers.get(random.nextInt(identifiers.size())).replaceAll("[^A-Za-z0-9-]", ""));
    return withId + query;
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[random.nextInt(options.length)];
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
