package dev.runqueue.spring.autoconfigure;

import dev.runqueue.RunQueueAdmin;
import dev.runqueue.store.Stores;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * runqueue's health indicator ({@code management.health.runqueue.enabled}) and its
 * {@code runqueue} endpoint, when the application has the actuator.
 */
@AutoConfiguration(after = RunQueueAutoConfiguration.class)
@ConditionalOnBean(Stores.class)
public final class RunQueueActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ AbstractHealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	@ConditionalOnEnabledHealthIndicator("runqueue")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "runqueueHealthIndicator")
		RunQueueHealthIndicator runqueueHealthIndicator(Stores stores, ObjectProvider<RunQueueLifecycle> lifecycle) {
			return new RunQueueHealthIndicator(stores, lifecycle);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
	@ConditionalOnAvailableEndpoint(RunQueueEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RunQueueEndpoint runQueueEndpoint(RunQueueAdmin admin, RunQueueProperties properties) {
			return new RunQueueEndpoint(admin, properties.getWorker().getLeaseDuration());
		}

	}

}
