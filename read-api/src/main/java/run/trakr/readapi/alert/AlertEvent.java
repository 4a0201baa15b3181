package run.trakr.readapi.alert;

import java.math.BigDecimal;

/** The public {@code AlertEvent}; {@code created_at} is when it fired. */
record AlertEvent(String id, String alertRuleId, String alertRuleName, String runId, String workflowName,
		BigDecimal triggeredValue, BigDecimal thresholdValue, boolean notificationSent, String resolvedAt,
		String createdAt) {
}
