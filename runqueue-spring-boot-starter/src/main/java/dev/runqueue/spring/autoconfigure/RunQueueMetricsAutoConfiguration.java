package dev.runqueue.spring.autoconfigure;

import dev.runqueue.RunQueueAdmin;
import dev.runqueue.event.EventPublisher;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * runqueue's meters, when the application has Micrometer and a {@link MeterRegistry}.
 */
@AutoConfiguration(after = RunQueueAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, EventPublisher.class, RunQueueAdmin.class })
public final class RunQueueMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RunQueueMetrics runQueueMetrics(EventPublisher events, RunQueueAdmin admin, RunQueueProperties properties) {
		return new RunQueueMetrics(events, admin, properties.getMetrics().getDepthRefreshInterval());
	}

}
