package run.trakr.readapi;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The read API's packages in layers: the routes (one package each) on top, then the
 * rollup reader and the admin command line, then the shared core (auth, query, ratelimit,
 * system). A route never reaches into another route, and nothing below reaches up.
 */
class LayeringTest {

	private static final List<String> ROUTES = List.of("alert", "metrics", "run", "workflow");

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("run.trakr.readapi");

	@Test
	void eachLayerUsesOnlyTheLayersBelowIt() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("Routes")
			.definedBy(ROUTES.stream().map(route -> "run.trakr.readapi." + route + "..").toArray(String[]::new))
			.layer("Admin")
			.definedBy("run.trakr.readapi.admin..")
			.layer("Rollups")
			.definedBy("run.trakr.readapi.rollup..")
			.layer("Core")
			.definedBy("run.trakr.readapi.auth..", "run.trakr.readapi.conditional..", "run.trakr.readapi.freshness..",
					"run.trakr.readapi.query..", "run.trakr.readapi.ratelimit..", "run.trakr.readapi.system..")
			.whereLayer("Routes")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("Admin")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("Rollups")
			.mayOnlyBeAccessedByLayers("Routes")
			.whereLayer("Core")
			.mayOnlyBeAccessedByLayers("Routes", "Admin", "Rollups")
			.check(CLASSES);
	}

	@Test
	void noRouteImportsAnotherRoute() {
		for (String route : ROUTES) {
			String[] others = ROUTES.stream()
				.filter(other -> !other.equals(route))
				.map(other -> "run.trakr.readapi." + other + "..")
				.toArray(String[]::new);
			noClasses().that()
				.resideInAPackage("run.trakr.readapi." + route + "..")
				.should()
				.dependOnClassesThat()
				.resideInAnyPackage(others)
				.check(CLASSES);
		}
	}

}
