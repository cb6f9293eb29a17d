package io.medpipe;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.NamedInterface;

/**
 * The boundaries between medpipe's features, as a test (docs/pipeline.md, Boundaries of the code). Each package
 * directly under {@code io.medpipe} is a feature (a Spring Modulith application module); its sub-packages are internal
 * to it unless its {@code package-info.java} declares them a named interface, as {@code training} does for
 * {@code model}, {@code evaluation} and {@code card}.
 *
 * <p>There is no exception today: every feature cycle and every reach into another feature's sub-package that the
 * earlier layout had was removed, not excused. If a new one cannot be removed in the change that makes it, name it
 * here as a documented exception (the dependency, why, and the issue that removes it), never as a blanket ignore.
 *
 * <p>Both checks read compiled classes. A {@code static final} constant (the names in {@code ProcessConstants}) is
 * copied into the class that uses it, so a dependency made only of such constants is invisible to them.
 */
class ModularityTest {

  static final ApplicationModules MODULES = ApplicationModules.of(MedpipeApplication.class);

  /** No cycle between features, and no feature uses another's internal sub-packages. */
  @Test
  void featuresDependOnEachOtherWithoutCyclesAndOnlyThroughWhatTheyOpen() {
    MODULES.verify();
  }

  /** Also inside a feature: no two packages (say {@code training} and {@code training.model}) use each other. */
  @Test
  void noPackageCycles() {
    JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.medpipe");
    slices().matching("io.medpipe.(**)").should().beFreeOfCycles().check(classes);
  }

  /** What training opens to other features is what its package-info files say, and nothing else of it. */
  @Test
  void trainingOpensItsModelsEvaluationAndCardsOnly() {
    ApplicationModule training = MODULES.getModuleByName("training").orElseThrow();

    assertThat(training.getNamedInterfaces().stream().filter(NamedInterface::isNamed).map(NamedInterface::getName))
        .containsExactlyInAnyOrder("model", "evaluation", "card");
    assertThat(MODULES.stream().map(ApplicationModule::getName)).contains("artifact", "cli", "cloud", "dataset",
        "ehr", "monitoring", "pipeline", "privacy", "registry", "serving", "signoff", "system", "training",
        "workers");
  }
}
