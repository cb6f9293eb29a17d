package io.medpipe.system;

import static io.medpipe.pipeline.ProcessConstants.GROUP_DATA_SCIENTISTS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_DEVOPS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_MEDICAL_REVIEWERS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_OPERATORS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_WORKERS;
import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
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
 * demo user per group. Idempotent: it runs at every start and adds only what is missing.
 *
 * <p>Who may do what: medical reviewers and DevOps work their tasks in Tasklist (task rights come from the
 * candidate group on each task); operators and data scientists watch in Cockpit, operators may also start runs
 * and resolve incidents; the workers' user may fetch and complete external tasks and nothing else.
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

  private final IdentityService identity;
  private final AuthorizationService authorizations;
  private final MedpipeProperties properties;
  private final boolean demoMode;

  IdentitySetup(IdentityService identity, AuthorizationService authorizations, MedpipeProperties properties,
                @Value("${medpipe.demo-mode:false}") boolean demoMode) {
    this.identity = identity;
    this.authorizations = authorizations;
    this.properties = properties;
    this.demoMode = demoMode;
  }

  @Override
  public void run(ApplicationArguments args) {
    group(GROUP_MEDICAL_REVIEWERS, "Medical reviewers");
    group(GROUP_DEVOPS, "DevOps");
    group(GROUP_DATA_SCIENTISTS, "Data scientists");
    group(GROUP_OPERATORS, "Operators");
    group(GROUP_WORKERS, "medpipe workers (technical)");

    for (String g : List.of(GROUP_MEDICAL_REVIEWERS, GROUP_DEVOPS, GROUP_OPERATORS)) {
      // the task list filters ("All tasks") are what Tasklist shows on the left
      grant(g, Resources.FILTER, ANY, Permissions.READ);
    }
    for (String g : List.of(GROUP_MEDICAL_REVIEWERS, GROUP_DEVOPS)) {
      grant(g, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
      grant(g, Resources.PROCESS_DEFINITION, ANY, Permissions.READ);
      grant(g, Resources.DEPLOYMENT, ANY, Permissions.READ);
    }
    for (String g : List.of(GROUP_OPERATORS, GROUP_DATA_SCIENTISTS, GROUP_DEVOPS)) {
      grant(g, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
      grant(g, Resources.PROCESS_DEFINITION, ANY, Permissions.READ, Permissions.READ_INSTANCE, Permissions.READ_HISTORY);
      grant(g, Resources.PROCESS_INSTANCE, ANY, Permissions.READ);
      grant(g, Resources.DECISION_DEFINITION, ANY, Permissions.READ, Permissions.READ_HISTORY);
      grant(g, Resources.DEPLOYMENT, ANY, Permissions.READ);
    }
    grant(GROUP_OPERATORS, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
    grant(GROUP_OPERATORS, Resources.PROCESS_DEFINITION, ANY, Permissions.CREATE_INSTANCE,
        Permissions.UPDATE_INSTANCE);
    grant(GROUP_OPERATORS, Resources.PROCESS_INSTANCE, ANY, Permissions.CREATE, Permissions.UPDATE);
    grant(GROUP_WORKERS, Resources.PROCESS_DEFINITION, ANY, Permissions.READ_INSTANCE, Permissions.UPDATE_INSTANCE);
    grant(GROUP_WORKERS, Resources.PROCESS_INSTANCE, ANY, Permissions.READ, Permissions.UPDATE);

    user(properties.worker().user(), "medpipe", "worker", properties.worker().password(), List.of(GROUP_WORKERS));
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

  private void grant(String groupId, Resource resource, String resourceId, Permission... permissions) {
    Authorization existing = authorizations.createAuthorizationQuery()
        .groupIdIn(groupId).resourceType(resource).resourceId(resourceId).singleResult();
    Authorization auth = existing != null ? existing : authorizations.createNewAuthorization(AUTH_TYPE_GRANT);
    auth.setGroupId(groupId);
    auth.setResource(resource);
    auth.setResourceId(resourceId);
    for (Permission p : permissions) {
      auth.addPermission(p);
    }
    authorizations.saveAuthorization(auth);
  }
}
