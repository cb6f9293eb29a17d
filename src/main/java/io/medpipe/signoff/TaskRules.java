package io.medpipe.signoff;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.delegate.Expression;
import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ResourceEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.impl.task.TaskDefinition;

/**
 * What a user task allows: the variables its form declares, and who may complete it (the groups its BPMN names).
 *
 * <p>Both are read from the deployed definitions, never from the running task: a task's identity links and variables
 * can be changed at run time, its BPMN and form cannot. Refusals are exceptions the engine REST API answers with
 * 400 (a form field) and 403 (a person), as Tasklist shows them.
 */
final class TaskRules {

  /** An embedded Tasklist form names each field it submits with this attribute. */
  private static final Pattern FIELD = Pattern.compile("cam-variable-name\\s*=\\s*\"([^\"]+)\"");
  private static final String DEPLOYMENT_PREFIX = "deployment:";

  /** Fields per deployed form (deployment id + resource name): deployments are immutable, so is this. */
  private static final Map<String, Set<String>> FIELDS = new ConcurrentHashMap<>();

  private TaskRules() {
  }

  /**
   * Refuses a completion that sets a variable the task's form does not declare, naming every such variable.
   * A task without an embedded deployment form declares nothing.
   */
  static void requireFormFields(CommandContext context, TaskEntity task, Collection<String> variables) {
    if (variables == null || variables.isEmpty()) {
      return;
    }
    Set<String> declared = new TreeSet<>(declaredFields(context, task));
    Set<String> undeclared = new TreeSet<>(variables);
    undeclared.removeAll(declared);
    if (!undeclared.isEmpty()) {
      String first = undeclared.iterator().next();
      throw new FormFieldValidationException(first, "variable" + (undeclared.size() > 1 ? "s " : " ")
          + String.join(", ", undeclared) + " cannot be set by completing '" + task.getName() + "': its form declares "
          + (declared.isEmpty() ? "no fields" : "only " + String.join(", ", declared)));
    }
  }

  /**
   * Refuses a completer who is not a member of a group the task's BPMN names as candidate group. Administrators
   * are no exception: bypassing authorizations is for running the engine, not for signing a clinical decision.
   */
  static void requireCandidate(TaskEntity task, Actor actor) {
    Set<String> groups = candidateGroups(task);
    if (groups.isEmpty()) {
      return;
    }
    if (actor.system()) {
      throw new AuthorizationException("'" + task.getName() + "' can only be completed by a logged-in member of "
          + String.join(" or ", groups) + ": the sign-off must name who decided");
    }
    if (groups.stream().noneMatch(actor.groups()::contains)) {
      throw new AuthorizationException("User " + actor.userId() + " is not a member of " + String.join(" or ", groups)
          + " and cannot complete '" + task.getName() + "'" + (actor.admin() ? " (administrators included)" : ""));
    }
  }

  static Set<String> candidateGroups(TaskEntity task) {
    TaskDefinition definition = task.getTaskDefinition();
    Set<String> groups = new LinkedHashSet<>();
    if (definition != null) {
      for (Expression e : definition.getCandidateGroupIdExpressions()) {
        for (String g : e.getExpressionText().split(",")) {
          if (!g.isBlank()) {
            groups.add(g.trim());
          }
        }
      }
    }
    return groups;
  }

  static Set<String> declaredFields(CommandContext context, TaskEntity task) {
    String resource = formResource(task);
    if (resource == null) {
      return Set.of();
    }
    String deploymentId = task.getProcessDefinition().getDeploymentId();
    return FIELDS.computeIfAbsent(deploymentId + "/" + resource, key -> {
      ResourceEntity form = context.runWithoutAuthorization(
          () -> context.getResourceManager().findResourceByDeploymentIdAndResourceName(deploymentId, resource));
      if (form == null) {
        // fail closed: a form we cannot read declares nothing
        return Set.of();
      }
      java.util.SortedSet<String> fields = new TreeSet<>();
      Matcher m = FIELD.matcher(new String(form.getBytes(), StandardCharsets.UTF_8));
      while (m.find()) {
        fields.add(m.group(1));
      }
      return java.util.Collections.unmodifiableSortedSet(fields);
    });
  }

  /** "embedded:deployment:forms/x.html" -> "forms/x.html"; null for a task without a deployed form. */
  private static String formResource(TaskEntity task) {
    TaskDefinition definition = task.getTaskDefinition();
    if (definition == null || definition.getFormDefinition() == null
        || definition.getFormDefinition().getFormKey() == null) {
      return null;
    }
    String key = definition.getFormDefinition().getFormKey().getExpressionText();
    int at = key.indexOf(DEPLOYMENT_PREFIX);
    return at < 0 ? null : key.substring(at + DEPLOYMENT_PREFIX.length());
  }
}
