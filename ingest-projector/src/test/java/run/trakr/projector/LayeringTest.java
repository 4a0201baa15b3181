package run.trakr.projector;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The projector's packages in layers: the Kafka entry and the batch (the root package) on
 * top; the projections (rollups over runs, alerts, offsets, dead letters); then the SQL
 * helpers and the system wiring. Rollups read run changes; runs never read rollups.
 */
class LayeringTest {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("run.trakr.projector");

	@Test
	void eachLayerUsesOnlyTheLayersBelowIt() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("Entry")
			.definedBy("run.trakr.projector")
			.layer("Rollups")
			.definedBy("run.trakr.projector.rollup..")
			.layer("Projections")
			.definedBy("run.trakr.projector.run..", "run.trakr.projector.alert..", "run.trakr.projector.offset..",
					"run.trakr.projector.deadletter..")
			.layer("Support")
			.definedBy("run.trakr.projector.sql..", "run.trakr.projector.system..")
			.whereLayer("Entry")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("Rollups")
			.mayOnlyBeAccessedByLayers("Entry")
			.whereLayer("Projections")
			.mayOnlyBeAccessedByLayers("Entry", "Rollups")
			.whereLayer("Support")
			.mayOnlyBeAccessedByLayers("Entry", "Rollups", "Projections")
			.check(CLASSES);
	}

	@Test
	void runsNeverReadRollups() {
		noClasses().that()
			.resideInAPackage("run.trakr.projector.run..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("run.trakr.projector.rollup..")
			.check(CLASSES);
	}

}
