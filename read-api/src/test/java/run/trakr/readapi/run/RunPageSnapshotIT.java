package run.trakr.readapi.run;

import java.lang.reflect.Method;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import org.springframework.aop.support.AopUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttribute;

import run.trakr.readapitest.support.ReadApiInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page of runs and its total_count come from one REPEATABLE READ snapshot: the running
 * application really routes the call through a transactional proxy with that isolation.
 */
@ExtendWith(LocalStackExtension.class)
class RunPageSnapshotIT {

	@Test
	void pageAndTotalRunInOneReadOnlyRepeatableReadTransaction(LocalStack stack) throws Exception {
		try (ReadApiInstance api = ReadApiInstance.start(stack)) {
			RunQueries queries = api.context().getBean(RunQueries.class);
			assertThat(AopUtils.isAopProxy(queries)).as("transactional proxy").isTrue();
			Method method = RunQueries.class.getMethod("pageAndTotal", java.util.UUID.class, RunFilter.class,
					RunPosition.class, int.class);
			TransactionAttribute attribute = new AnnotationTransactionAttributeSource().getTransactionAttribute(method,
					AopUtils.getTargetClass(queries));
			assertThat(attribute).isNotNull();
			assertThat(attribute.getIsolationLevel()).isEqualTo(TransactionDefinition.ISOLATION_REPEATABLE_READ);
			assertThat(attribute.isReadOnly()).isTrue();
		}
	}

}
