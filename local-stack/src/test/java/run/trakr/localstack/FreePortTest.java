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

}
