package dev.genledger.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The package rules of DESIGN.md, stated so that a change breaking them fails the build: {@code db}
 * and {@code api} depend on no feature, features depend only downward, and no packages form a cycle.
 */
class LayeringTests {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.genledger");

    @Test
    void featuresDependOnlyDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("db").definedBy("dev.genledger.db..")
                .layer("api").definedBy("dev.genledger.api..")
                .layer("limit").definedBy("dev.genledger.limit..")
                .layer("audit").definedBy("dev.genledger.audit..")
                .layer("user").definedBy("dev.genledger.user..")
                .layer("credit").definedBy("dev.genledger.credit..")
                .layer("quiz").definedBy("dev.genledger.quiz..")
                .layer("insight").definedBy("dev.genledger.insight..")
                .layer("job").definedBy("dev.genledger.job..")
                .layer("event").definedBy("dev.genledger.event..")
                .layer("ops").definedBy("dev.genledger.ops..")
                .whereLayer("db").mayNotAccessAnyLayer()
                .whereLayer("api").mayOnlyAccessLayers("db")
                .whereLayer("limit").mayOnlyAccessLayers("db", "api")
                .whereLayer("audit").mayOnlyAccessLayers("db", "api")
                .whereLayer("user").mayOnlyAccessLayers("db", "api", "audit")
                .whereLayer("credit").mayOnlyAccessLayers("db", "api", "audit", "user")
                .whereLayer("quiz").mayOnlyAccessLayers("db", "api", "limit", "audit", "user", "credit")
                .whereLayer("insight").mayOnlyAccessLayers("db", "api", "limit", "audit", "user", "credit", "quiz")
                .whereLayer("job").mayOnlyAccessLayers("db", "api", "limit", "audit", "user", "credit", "quiz", "insight")
                .whereLayer("event").mayOnlyAccessLayers("db", "api", "limit", "audit", "user", "credit", "quiz", "insight",
                        "job")
                .whereLayer("ops").mayNotBeAccessedByAnyLayer()
                .check(MAIN);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("dev.genledger.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
