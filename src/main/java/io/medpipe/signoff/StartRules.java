package io.medpipe.signoff;

import static io.medpipe.pipeline.ProcessConstants.MESSAGE_RETRAIN_REQUESTED;
import static io.medpipe.pipeline.ProcessConstants.MESSAGE_SCHEDULED_RETRAINING_DUE;
import static io.medpipe.pipeline.ProcessConstants.PROCESS_PIPELINE;

import io.medpipe.privacy.IdentifierShapes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.impl.MessageCorrelationBuilderImpl;
import org.camunda.bpm.engine.impl.ProcessInstantiationBuilderImpl;
import org.camunda.bpm.engine.impl.cmd.AbstractCorrelateMessageCmd;
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceCmd;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;

/**
 * What a logged-in user may set when starting a pipeline run (engine REST start, Tasklist's start form, a message):
 * no variables, and a business key of a strict format that does not look like a personal identifier. The monitoring
 * and schedule starts of the pipeline are the application's own: a user's message for them is refused.
 *
 * <p>Why: whatever a starter sets is stored in the run's history and copied into its stages, readable by every Cockpit
 * user; the pipeline needs nothing from the starter (its start events set the trigger, its steps the rest). And a run
 * "requested by monitoring" must have come through the webhook's token and de-duplication, or its provenance is forged.
 * The application's own starts (no logged-in user: the webhook, the schedule) are not judged here.
 */
final class StartRules {

  /** Lower-case words of letters and digits joined by hyphens: {@code fabry-retrain-3}, {@code cli-3fa85f64-...}. */
  static final Pattern BUSINESS_KEY = Pattern.compile("[a-z][a-z0-9]*(?:-[a-z0-9]+)*");
  static final int MAX_BUSINESS_KEY = 64;
  /** The variables a user may set at the pipeline's start: none. */
  static final Set<String> START_VARIABLES = Set.of();
  /** Messages that start the pipeline on the application's behalf only. */
  static final Set<String> APPLICATION_MESSAGES = Set.of(MESSAGE_RETRAIN_REQUESTED, MESSAGE_SCHEDULED_RETRAINING_DUE);

  /** How a refusal is made (audited, logged) by the caller. */
  interface Refusal {
    AuthorizationException refuse(String run, String message);
  }

  private StartRules() {
  }

  /** Throws the refusal if a user's start or message breaks the rules; returns otherwise. */
  @SuppressWarnings("unchecked")
  static void require(CommandContext context, Command<?> command, Refusal refusal) {
    if (command instanceof AbstractCorrelateMessageCmd) {
      MessageCorrelationBuilderImpl builder = (MessageCorrelationBuilderImpl) CommandFields.get(command, "builder");
      if (APPLICATION_MESSAGES.contains(builder.getMessageName())) {
        throw refusal.refuse(null, "message " + builder.getMessageName() + " starts a run on medpipe's own behalf"
            + " (monitoring's webhook, with its token and de-duplication, or the schedule), never a user's: start a"
            + " run by hand with POST /engine-rest/process-definition/key/" + PROCESS_PIPELINE + "/start or Tasklist");
      }
      return;
    }
    String key;
    String definitionId;
    String businessKey;
    Map<String, Object> variables;
    if (command instanceof StartProcessInstanceCmd) {
      ProcessInstantiationBuilderImpl builder = (ProcessInstantiationBuilderImpl) CommandFields.get(command,
          "instantiationBuilder");
      key = builder.getProcessDefinitionKey();
      definitionId = builder.getProcessDefinitionId();
      businessKey = builder.getBusinessKey();
      variables = builder.getVariables();
    } else {
      key = null;
      definitionId = CommandFields.string(command, "processDefinitionId");
      businessKey = CommandFields.string(command, "businessKey");
      variables = (Map<String, Object>) CommandFields.get(command, "variables");
    }
    if (key == null && definitionId != null) {
      key = definitionKey(context, definitionId);
    }
    if (!PROCESS_PIPELINE.equals(key)) {
      return;
    }
    Set<String> undeclared = new TreeSet<>(variables == null ? Set.of() : variables.keySet());
    undeclared.removeAll(START_VARIABLES);
    if (!undeclared.isEmpty()) {
      throw refusal.refuse(null, "variables: a run of " + PROCESS_PIPELINE + " is started without variables (its"
          + " steps set what it needs, and whatever a starter sets is visible to every Cockpit user); got "
          + undeclared.size() + ": " + Names.safeList(undeclared));
    }
    businessKeyProblem(businessKey).ifPresent(problem -> {
      throw refusal.refuse(null, "businessKey " + problem);
    });
  }

  /** Why a business key set by a user is refused, or empty if it is fine (none at all is fine). */
  static Optional<String> businessKeyProblem(String key) {
    if (key == null || key.isEmpty()) {
      return Optional.empty();
    }
    if (key.length() > MAX_BUSINESS_KEY || !BUSINESS_KEY.matcher(key).matches()) {
      return Optional.of("must be lower-case letters and digits in words joined by hyphens, at most "
          + MAX_BUSINESS_KEY + " characters (such as fabry-retrain-3, or a generated id); got "
          + key.length() + " characters that are not");
    }
    return IdentifierShapes.kind(key).map(kind -> "must not look like a personal identifier (it looks like " + kind
        + "): a business key is shown to every Cockpit user; use a label such as fabry-retrain-3 or a generated id");
  }

  private static String definitionKey(CommandContext context, String definitionId) {
    try {
      ProcessDefinitionEntity definition = context.getProcessEngineConfiguration().getDeploymentCache()
          .findDeployedProcessDefinitionById(definitionId);
      return definition == null ? null : definition.getKey();
    } catch (RuntimeException notFound) {
      return null;   // the engine answers for a definition that does not exist
    }
  }
}
