package run.trakr.localstack.junit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import run.trakr.localstack.LocalStack;

/**
 * Gives integration tests the JVM's one {@link LocalStack}: started before the first test
 * class that uses it, shared by all of them, stopped when the test run ends. Declare a
 * {@code LocalStack} parameter, or call {@link #stack()} (for example from a
 * {@code @DynamicPropertySource} method).
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(LocalStackExtension.class);

	/** The shared stack, started on first use. */
	public static LocalStack stack() {
		return LocalStack.shared();
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		// Closing through the root store stops the stack when the test plan ends, before
		// JVM shutdown.
		context.getRoot()
			.getStore(NAMESPACE)
			.getOrComputeIfAbsent(StackResource.class, key -> new StackResource(stack()), StackResource.class);
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == LocalStack.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		beforeAll(context);
		return stack();
	}

	private record StackResource(LocalStack stack) implements AutoCloseable {

		@Override
		public void close() {
			this.stack.close();
		}

	}

}
