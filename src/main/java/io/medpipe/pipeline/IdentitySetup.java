package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.GROUP_DATA_SCIENTISTS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_DEVOPS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_MEDICAL_REVIEWERS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_OPERATORS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_WORKERS;
import static io.medpipe.pipeline.ProcessConstants.PROCESS_MONITORING;
import static io.medpipe.pipeline.ProcessConstants.PROCESS_PIPELINE;
import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import io.medpipe.system.EngineRole;
import io.medpipe.system.WorkerProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Creates medpipe's groups and their authorizations, the workers' technical user and — in demo mode only — one
 * demo user per group. It runs at every start; a group's authorizations are made exactly those of {@link #GRANTS},
 * so an installation set up by an older, more generous version is narrowed too.
 *
 * <p>Least privilege (docs/security.md has the table and the tested matrix): medical reviewers and DevOps work their
 * tasks in Tasklist (task rights come from the candidate group on each task, and are limited to claim and complete);
 * operators start, retry and cancel runs; data scientists watch; the workers' user fetches and completes external
 * tasks. Camunda's UPDATE permission, which operators (retries) and workers (external tasks) need, also unlocks
 * modification, variable edits and suspension; the engine's sign-off plugin takes those back (io.medpipe.signoff).
 * Administrators (camunda-admin) bypass authorizations; the plugin audits what they change.
 */
@EngineRole
@Component
@Order(2)
class IdentitySetup implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(IdentitySetup.class);

  /** Demo users: id, first name, last name, groups. Password "demo", created only in demo mode. */
  static final List<DemoUser> DEMO_USERS = List.of(
      new DemoUser("reviewer", "Rosa", "Reviewer", List.of(GROUP_MEDICAL_REVIEWERS)),
      new DemoUser("chief", "Chen", "Chief-Physician", List.of(GROUP_MEDICAL_REVIEWERS, GROUP_DEVOPS)),
      new DemoUser("devops", "Dev", "Ops", List.of(GROUP_DEVOPS)),
      new DemoUser("scientist", "Sam", "Scientist", List.of(GROUP_DATA_SCIENTISTS)),
      new DemoUser("operator", "Olga", "Operator", List.of(GROUP_OPERATORS)));

  record DemoUser(String id, String firstName, String lastName, List<String> groups) {}

  /** One authorization: a group's permissions on one resource (ANY = every resource of that type). */
  record Grant(String group, Resource resource, String resourceId, Set<Permission> permissions) {
    Grant(String group, Resource resource, String resourceId, Permission... permissions) {
      this(group, resource, resourceId, Set.of(permissions));
    }
  }

  /** medpipe's groups with their names. */
  static final List<List<String>> GROUPS = List.of(
      List.of(GROUP_MEDICAL_REVIEWERS, "Medical reviewers"), List.of(GROUP_DEVOPS, "DevOps"),
      List.of(GROUP_DATA_SCIENTISTS, "Data scientists"), List.of(GROUP_OPERATORS, "Operators"),
      List.of(GROUP_WORKERS, "medpipe workers (technical)"));

  /** Every authorization of medpipe's groups; nothing else is granted to them. */
  static final List<Grant> GRANTS = grants();

  private static List<Grant> grants() {
    List<Grant> g = new ArrayList<>();
    // Tasklist: the task filters and the forms (deployment resources); tasks themselves via candidate groups
    for (String group : List.of(GROUP_MEDICAL_REVIEWERS, GROUP_DEVOPS, GROUP_OPERATORS)) {
      g.add(new Grant(group, Resources.APPLICATION, "tasklist", Permissions.ACCESS));
      g.add(new Grant(group, Resources.FILTER, ANY, Permissions.READ));
      g.add(new Grant(group, Resources.DEPLOYMENT, ANY, Permissions.READ));
    }
    g.add(new Grant(GROUP_MEDICAL_REVIEWERS, Resources.PROCESS_DEFINITION, ANY, ProcessDefinitionPermissions.READ));
    // Cockpit: watch runs, incidents, decisions and history
    for (String group : List.of(GROUP_DEVOPS, GROUP_OPERATORS, GROUP_DATA_SCIENTISTS)) {
      g.add(new Grant(group, Resources.APPLICATION, "cockpit", Permissions.ACCESS));
      Set<Permission> read = Set.of(ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_INSTANCE,
          ProcessDefinitionPermissions.READ_HISTORY);
      // operators also retry failed jobs, of a run or of a definition's timer (RETRY_JOB, nothing else)
      g.add(new Grant(group, Resources.PROCESS_DEFINITION, ANY, group.equals(GROUP_OPERATORS)
          ? union(read, ProcessDefinitionPermissions.RETRY_JOB) : read));
      g.add(new Grant(group, Resources.DECISION_DEFINITION, ANY, Permissions.READ, Permissions.READ_HISTORY));
    }
    g.add(new Grant(GROUP_DATA_SCIENTISTS, Resources.DEPLOYMENT, ANY, Permissions.READ));
    g.add(new Grant(GROUP_DEVOPS, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ,
        ProcessInstancePermissions.CREATE));
    // operators and devops ask for a drift monitor run ('medpipe monitor': the monitoring process's message start);
    // the run only reads the prediction log and writes a report, so it needs nothing else
    for (String group : List.of(GROUP_OPERATORS, GROUP_DEVOPS)) {
      g.add(new Grant(group, Resources.PROCESS_DEFINITION, PROCESS_MONITORING,
          ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_INSTANCE,
          ProcessDefinitionPermissions.READ_HISTORY, ProcessDefinitionPermissions.CREATE_INSTANCE));
    }
    g.add(new Grant(GROUP_DATA_SCIENTISTS, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ));
    // Operators: start the pipeline (only it: its stages are started by the pipeline), retry failed steps (UPDATE:
    // external-task retries need it), cancel runs (DELETE); modification and variables are taken back by the plugin
    g.add(new Grant(GROUP_OPERATORS, Resources.PROCESS_DEFINITION, PROCESS_PIPELINE,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_INSTANCE,
        ProcessDefinitionPermissions.READ_HISTORY, ProcessDefinitionPermissions.CREATE_INSTANCE));
    g.add(new Grant(GROUP_OPERATORS, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ,
        ProcessInstancePermissions.CREATE, ProcessInstancePermissions.UPDATE, ProcessInstancePermissions.DELETE));
    // Workers: fetch and complete external tasks (READ + UPDATE on the instance); nothing else, by the plugin
    g.add(new Grant(GROUP_WORKERS, Resources.PROCESS_DEFINITION, ANY, ProcessDefinitionPermissions.READ_INSTANCE,
        ProcessDefinitionPermissions.UPDATE_INSTANCE));
    g.add(new Grant(GROUP_WORKERS, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ,
        ProcessInstancePermissions.UPDATE));
    return List.copyOf(g);
  }

  private static Set<Permission> union(Set<Permission> permissions, Permission more) {
    Set<Permission> all = new java.util.HashSet<>(permissions);
    all.add(more);
    return Set.copyOf(all);
  }

  private final IdentityService identity;
  private final AuthorizationService authorizations;
  private final WorkerProperties worker;
  private final boolean demoMode;

  IdentitySetup(IdentityService identity, AuthorizationService authorizations, WorkerProperties worker,
                @Value("${medpipe.demo-mode:false}") boolean demoMode) {
    this.identity = identity;
    this.authorizations = authorizations;
    this.worker = worker;
    this.demoMode = demoMode;
  }

  @Override
  public void run(ApplicationArguments args) {
    for (List<String> g : GROUPS) {
      group(g.get(0), g.get(1));
      narrowTo(g.get(0));
    }
    for (Grant grant : GRANTS) {
      apply(grant);
    }
    user(worker.user(), "medpipe", "worker", worker.password(), List.of(GROUP_WORKERS));
    if (demoMode) {
      for (DemoUser u : DEMO_USERS) {
        user(u.id(), u.firstName(), u.lastName(), "demo", u.groups());
      }
      log.info("Demo mode: users {} (password 'demo') and admin", DEMO_USERS.stream().map(DemoUser::id).toList());
    }
  }

  private void group(String id, String name) {
    if (identity.createGroupQuery().groupId(id).count() == 0) {
      Group group = identity.newGroup(id);
      group.setName(name);
      group.setType(Groups.GROUP_TYPE_WORKFLOW);
      identity.saveGroup(group);
    }
  }

  /** Deletes the group's authorizations that {@link #GRANTS} does not list (left by an older version). */
  private void narrowTo(String group) {
    for (Authorization a : authorizations.createAuthorizationQuery().groupIdIn(group).list()) {
      boolean listed = GRANTS.stream().anyMatch(g -> g.group().equals(group)
          && g.resource().resourceType() == a.getResourceType() && g.resourceId().equals(a.getResourceId()));
      if (!listed) {
        authorizations.deleteAuthorization(a.getId());
      }
    }
  }

  /** Creates the user if missing and (re)sets the password, so a rotated secret takes effect on restart. */
  private void user(String id, String first, String last, String password, List<String> groups) {
    User user = identity.createUserQuery().userId(id).singleResult();
    if (user == null) {
      user = identity.newUser(id);
      user.setFirstName(first);
      user.setLastName(last);
      user.setEmail(id + "@medpipe.invalid");
    }
    user.setPassword(password);
    identity.saveUser(user);
    for (String g : groups) {
      if (identity.createUserQuery().userId(id).memberOfGroup(g).count() == 0) {
        identity.createMembership(id, g);
      }
    }
  }

  /** Makes the group's authorization on the resource exactly the listed permissions. */
  private void apply(Grant grant) {
    Authorization existing = authorizations.createAuthorizationQuery()
        .groupIdIn(grant.group()).resourceType(grant.resource()).resourceId(grant.resourceId()).singleResult();
    Authorization auth = existing != null ? existing : authorizations.createNewAuthorization(AUTH_TYPE_GRANT);
    auth.setGroupId(grant.group());
    auth.setResource(grant.resource());
    auth.setResourceId(grant.resourceId());
    auth.setPermissions(grant.permissions().toArray(Permission[]::new));
    authorizations.saveAuthorization(auth);
  }
}
