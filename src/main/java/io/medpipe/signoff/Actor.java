package io.medpipe.signoff;

import static io.medpipe.pipeline.ProcessConstants.GROUP_OPERATORS;
import static io.medpipe.pipeline.ProcessConstants.GROUP_WORKERS;

import java.util.HashSet;
import java.util.Set;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

/**
 * Who runs an engine command: the authenticated user with the groups the identity store gives them, or the
 * application itself (no authenticated user: the job executor, start-up code, in-process tests).
 *
 * <p>Groups come from the identity store, not from the authentication object: a REST call carries the groups its
 * filter looked up, a Java caller may carry none, and only the store is the same for both.
 */
record Actor(String userId, Set<String> groups, boolean admin) {

  static final Actor SYSTEM = new Actor(null, Set.of(), false);

  static Actor current(CommandContext context) {
    Authentication authentication = context.getAuthentication();
    if (authentication == null || authentication.getUserId() == null || authentication.getUserId().isBlank()) {
      return SYSTEM;
    }
    String user = authentication.getUserId();
    Set<String> groups = new HashSet<>();
    // the store is read without the caller's authorizations: a reviewer may not list groups, yet has them
    context.runWithoutAuthorization(() -> {
      for (Group g : context.getReadOnlyIdentityProvider().createGroupQuery().groupMember(user).list()) {
        groups.add(g.getId());
      }
      return null;
    });
    ProcessEngineConfigurationImpl configuration = context.getProcessEngineConfiguration();
    boolean admin = (configuration.getAdminUsers() != null && configuration.getAdminUsers().contains(user))
        || (configuration.getAdminGroups() != null
            && configuration.getAdminGroups().stream().anyMatch(groups::contains));
    return new Actor(user, Set.copyOf(groups), admin);
  }

  boolean system() {
    return userId == null;
  }

  boolean operator() {
    return groups.contains(GROUP_OPERATORS);
  }

  boolean worker() {
    return groups.contains(GROUP_WORKERS);
  }

  /** For audit rows and messages. */
  String name() {
    return system() ? "medpipe (no authenticated user)" : userId;
  }
}
