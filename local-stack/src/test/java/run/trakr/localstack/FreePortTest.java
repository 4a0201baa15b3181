package run.trakr.localstack;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortTest {

	/** Servers started together (a cluster's listeners) each get a port of their own. */
	@Test
	void noPortIsHandedOutTwice() {
		Set<Integer> ports = ConcurrentHashMap.newKeySet();
		IntStream.range(0, 400).parallel().forEach((i) -> assertThat(ports.add(LocalStack.freePort())).isTrue());

		assertThat(new HashSet<>(ports)).hasSize(400);
	}

	/**
	 * A Redis Cluster node's bus port is 10000 above its own: a node on 55536 or above
	 * exits at once (a CI run saw it), and a bus port handed to another server collides.
	 */
	@Test
	void aPairFitsBelowThePortLimitAndItsSecondPortIsNeverHandedOutAgain() {
		Set<Integer> seconds = new HashSet<>();
		for (int i = 0; i < 200; i++) {
			int port = LocalStack.freePortPair(RedisCluster.BUS_PORT_OFFSET);
			assertThat(port + RedisCluster.BUS_PORT_OFFSET).isLessThanOrEqualTo(65535);
			seconds.add(port + RedisCluster.BUS_PORT_OFFSET);
		}
		for (int i = 0; i < 2000; i++) {
			assertThat(seconds).doesNotContain(LocalStack.freePort());
		}
	}

}
