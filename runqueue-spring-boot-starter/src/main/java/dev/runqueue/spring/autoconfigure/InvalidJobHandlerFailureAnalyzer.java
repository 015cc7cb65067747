package dev.runqueue.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidJobHandlerException} in Spring Boot's start-up failure format:
 * what went wrong, and the action to take.
 */
class InvalidJobHandlerFailureAnalyzer extends AbstractFailureAnalyzer<InvalidJobHandlerException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidJobHandlerException cause) {
		return new FailureAnalysis(cause.description(), cause.action(), cause);
	}

}
