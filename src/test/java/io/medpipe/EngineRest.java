package io.medpipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A client of the engine REST API (and medpipe's own) for the end-to-end tests: each call as one user, with HTTP
 * Basic credentials, as the README tells people to call it.
 */
final class EngineRest {

  final String base;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  EngineRest(int port) {
    this.base = "http://localhost:" + port;
  }

  /** A call's answer: status and body. */
  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(body.isEmpty() ? "null" : body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  Answer get(String user, String path) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** A GET of medpipe's own API with an API key. */
  Answer withKey(String apiKey, String path) {
    return send(null, HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", apiKey).GET());
  }

  Answer post(String user, String path, String body) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Answer put(String user, String path, String body) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  Answer delete(String user, String path) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  Answer send(String user, HttpRequest.Builder request) {
    if (user != null) {
      request.header("Authorization", basic(user));
    }
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** "user" logs in with the demo password, "user:secret" with its own. */
  static String basic(String user) {
    String credentials = user.contains(":") ? user : user + ":demo";
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  /** A completion body with String variables: name, value, name, value... */
  static String variables(String... nameValue) {
    StringBuilder sb = new StringBuilder("{\"variables\": {");
    for (int i = 0; i < nameValue.length; i += 2) {
      sb.append(i == 0 ? "" : ", ").append('"').append(nameValue[i]).append("\": {\"value\": \"")
          .append(nameValue[i + 1]).append("\", \"type\": \"String\"}");
    }
    return sb.append("}}").toString();
  }
}
