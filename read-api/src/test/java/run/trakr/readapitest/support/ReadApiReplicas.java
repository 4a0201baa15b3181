package run.trakr.readapitest.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import run.trakr.localstack.LocalStack;

/**
 * Read-API replicas on one stack, as production runs them behind a load balancer: the
 * same database, Redis and cursor secret, each with its own caches and local limiter.
 */
public final class ReadApiReplicas implements AutoCloseable {

	private final List<ReadApiInstance> replicas;

	private ReadApiReplicas(List<ReadApiInstance> replicas) {
		this.replicas = List.copyOf(replicas);
	}

	/** Two replicas with the same settings. */
	public static ReadApiReplicas startTwo(LocalStack stack) {
		return start(stack, 2, Map.of());
	}

	public static ReadApiReplicas start(LocalStack stack, int count, Map<String, Object> overrides) {
		List<ReadApiInstance> started = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				started.add(ReadApiInstance.start(stack, overrides));
			}
		}
		catch (RuntimeException ex) {
			started.forEach(ReadApiInstance::close);
			throw ex;
		}
		return new ReadApiReplicas(started);
	}

	public ReadApiInstance first() {
		return this.replicas.get(0);
	}

	public ReadApiInstance second() {
		return this.replicas.get(1);
	}

	/** The replica a round-robin balancer sends the {@code n}-th request to. */
	public ReadApiInstance roundRobin(int n) {
		return this.replicas.get(n % this.replicas.size());
	}

	public List<ReadApiInstance> all() {
		return this.replicas;
	}

	@Override
	public void close() {
		this.replicas.forEach(ReadApiInstance::close);
	}

}
