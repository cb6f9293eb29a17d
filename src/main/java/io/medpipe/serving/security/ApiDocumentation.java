package io.medpipe.serving.security;

import io.medpipe.serving.security.ApiRoutes.Access;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The OpenAPI document of medpipe's API ({@code /v3/api-docs}, Swagger UI at {@code /swagger-ui.html}): title and
 * version, the API-key schemes Swagger UI can authorise with, and for every operation the access it needs (read from
 * {@link ApiRoutes}, the table the filter chain enforces) and the problem+json answers it can give.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

  static final String API_KEY = "apiKey";
  static final String BEARER = "bearer";
  static final String WEBHOOK_TOKEN = "webhookToken";
  static final String CAMUNDA_SESSION = "camundaSession";
  static final String ENGINE_LOGIN = "engineLogin";
  private static final String PROBLEM_JSON = "application/problem+json";
  /** The paths served from a model slot: 503 while the slot is empty. */
  private static final java.util.Set<String> SLOT_PATHS = java.util.Set.of("/api/v1/predict", "/api/v1/predict/batch",
      "/api/v1/staging/predict", "/api/v1/staging/predict/batch", "/api/v1/model", "/api/v1/staging/model");

  @Bean
  OpenAPI medpipeOpenApi(ObjectProvider<BuildProperties> build) {
    String version = Optional.ofNullable(build.getIfAvailable()).map(BuildProperties::getVersion).orElse("dev");
    return new OpenAPI()
        .info(new Info().title("medpipe API").version(version)
            .license(new License().name("GPL-3.0-or-later").url("https://www.gnu.org/licenses/gpl-3.0.html"))
            .description("""
                Predictions of medpipe's deployed diagnostic model (production under /api/v1, staging under \
                /api/v1/staging) with TreeSHAP explanations, clinicians' feedback, the audited prediction record, \
                API key management, and the reviewers' reports and model records. Every call needs an API key \
                (X-API-Key header, or Authorization: Bearer) whose role covers it: predict, feedback or admin \
                (admin may do everything); reports and model records also accept a Cockpit/Tasklist login of a \
                medpipe group. Errors are RFC 9457 application/problem+json; a 400 lists every offending field. \
                Never send an identifier: patientRef is stored only as a keyed HMAC, and fields or values that look \
                like identifiers are refused."""))
        .components(new Components()
            .addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER).name("X-API-Key")
                .description("An API key (created at /api/v1/admin/keys; demo mode: data/api-admin.key)"))
            .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("The same API key as a bearer token"))
            .addSecuritySchemes(WEBHOOK_TOKEN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("The Alertmanager webhook's own token (MEDPIPE_WEBHOOK_TOKEN), not an API key"))
            .addSecuritySchemes(CAMUNDA_SESSION, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.COOKIE).name("JSESSIONID")
                .description("A Cockpit/Tasklist/Admin login of a medpipe group; read-only, reports and models"))
            .addSecuritySchemes(ENGINE_LOGIN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")
                .description("An engine user's name and password (as on /engine-rest) of operators or devops; the"
                    + " kill switch only")));
  }

  /** Per operation: its security requirement, its access in words, and its problem answers. */
  @Bean
  OpenApiCustomizer medpipeSecurityAndProblems() {
    return openApi -> {
      // here rather than in the document above: springdoc rebuilds the schemas from the controllers' types
      if (openApi.getComponents() == null) {
        openApi.setComponents(new Components());
      }
      openApi.getComponents().addSchemas("Problem", problemSchema());
      if (openApi.getPaths() == null) {
        return;
      }
      openApi.getPaths().forEach((path, item) -> item.readOperationsMap()
          .forEach((method, operation) -> describe(path, HttpMethod.valueOf(method.name()), operation)));
    };
  }

  private static void describe(String path, HttpMethod method, Operation operation) {
    Optional<Access> access = ApiRoutes.accessFor(method, path);
    Access needed = access.orElse(Access.ADMIN);
    List<SecurityRequirement> security = new ArrayList<>();
    if (needed == Access.PUBLIC) {
      security.add(new SecurityRequirement().addList(WEBHOOK_TOKEN));
    } else {
      security.add(new SecurityRequirement().addList(API_KEY));
      security.add(new SecurityRequirement().addList(BEARER));
      if (needed == Access.REVIEW) {
        security.add(new SecurityRequirement().addList(CAMUNDA_SESSION));
      }
      if (needed == Access.OPERATE) {
        security.add(new SecurityRequirement().addList(ENGINE_LOGIN));
        if (method == HttpMethod.GET) {
          security.add(new SecurityRequirement().addList(CAMUNDA_SESSION));
        }
      }
    }
    operation.setSecurity(security);
    String description = operation.getDescription() == null ? "" : operation.getDescription() + "\n\n";
    operation.setDescription(description + "Access: " + needed.description + ".");

    ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
    // springdoc guesses error answers from the controller advice; the ones listed here are the ones medpipe gives
    responses.keySet().removeIf(code -> !code.startsWith("2"));
    boolean hasInput = operation.getRequestBody() != null
        || (operation.getParameters() != null && !operation.getParameters().isEmpty());
    if (hasInput) {
      responses.addApiResponse("400", problem("Invalid request: every offending field is named in errors[] "
          + "(also malformed JSON, duplicate keys, trailing data, a byte order mark, or a body larger than "
          + "medpipe.serving.max-body-bytes)"));
    }
    responses.addApiResponse("401", problem(needed == Access.PUBLIC ? "No valid webhook token"
        : "No valid API key (or, for reports and models, no web app login)"));
    if (needed != Access.PUBLIC) {
      responses.addApiResponse("403", problem("The key's role (or the login's groups) does not allow this"));
    }
    if (path.contains("{") || path.equals("/api/v1/feedback")) {
      responses.addApiResponse("404", problem("No such resource"));
    }
    if (operation.getRequestBody() != null) {
      responses.addApiResponse("415", problem("The body is not application/json"));
    }
    if (SLOT_PATHS.contains(path)) {
      responses.addApiResponse("503", problem("No model is deployed in the slot yet, or the prediction record "
          + "cannot keep up; retry later"));
    }
    operation.setResponses(responses);
  }

  private static ApiResponse problem(String description) {
    return new ApiResponse().description(description).content(new Content().addMediaType(PROBLEM_JSON,
        new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
  }

  @SuppressWarnings("rawtypes")
  private static Schema problemSchema() {
    ObjectSchema fieldProblem = new ObjectSchema();
    fieldProblem.setProperties(new java.util.LinkedHashMap<>(Map.of(
        "field", new StringSchema().description("JSON path of the field, e.g. features.age or requests[1].patientRef"),
        "message", new StringSchema().description("what is wrong with it, in the API's words"))));
    ObjectSchema problem = new ObjectSchema();
    problem.description("RFC 9457 problem details");
    java.util.LinkedHashMap<String, Schema> properties = new java.util.LinkedHashMap<>();
    properties.put("type", new StringSchema().format("uri"));
    properties.put("title", new StringSchema());
    properties.put("status", new IntegerSchema());
    properties.put("detail", new StringSchema());
    properties.put("instance", new StringSchema().format("uri"));
    properties.put("errors", new ArraySchema().items(fieldProblem).description("400 only: every offending field"));
    problem.setProperties(properties);
    return problem;
  }
}
