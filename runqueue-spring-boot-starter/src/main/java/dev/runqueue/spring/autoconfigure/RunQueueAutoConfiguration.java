package dev.runqueue.spring.autoconfigure;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.DefaultRunQueueAdmin;
import dev.runqueue.JsonCodec;
import dev.runqueue.RunQueue;
import dev.runqueue.RunQueueAdmin;
import dev.runqueue.TopicSettings;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.NodeStore;
import dev.runqueue.event.EventPublisher;
import dev.runqueue.event.RunQueueEventListener;
import dev.runqueue.schedule.RecurringJob;
import dev.runqueue.schedule.ScheduleFunction;
import dev.runqueue.store.Stores;
import dev.runqueue.spring.RunQueueCustomizer;
import dev.runqueue.spring.RunQueueDataSource;
import dev.runqueue.worker.Worker;
import dev.runqueue.worker.WorkerSettings;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Auto-configuration of runqueue when the application has a {@link DataSource}: the
 * {@link RunQueue} to add jobs with, the discovery of {@code @RunQueueJob} methods, this
 * node's worker, and runqueue's private migrations. {@code runqueue.enabled=false} turns
 * it all off.
 */
@AutoConfiguration(after = { DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class },
		afterName = { "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
				"org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
				"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
				"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
				"org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "runqueue.enabled", matchIfMissing = true)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(RunQueueProperties.class)
public final class RunQueueAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static RunQueueJobMethodProcessor runQueueJobMethodProcessor() {
		return new RunQueueJobMethodProcessor();
	}

	@Bean
	@ConditionalOnMissingBean
	JsonCodec runQueueJsonCodec(ObjectProvider<JsonMapper> jsonMapper) {
		return new JsonCodec(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "runqueue.migrations.enabled", matchIfMissing = true)
	@DependsOnDatabaseInitialization
	RunQueueMigrations runQueueMigrations(ObjectProvider<DataSource> dataSource,
			@RunQueueDataSource ObjectProvider<DataSource> runQueueDataSource, RunQueueProperties properties) {
		return new RunQueueMigrations(dataSource(dataSource, runQueueDataSource),
				properties.getDatabase().toTableNames());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	EventPublisher runQueueEventPublisher(RunQueueProperties properties,
			ObjectProvider<RunQueueEventListener> listeners, ApplicationEventPublisher applicationEvents) {
		EventPublisher events = new EventPublisher(Clock.systemUTC());
		listeners.orderedStream().forEach(events::addListener);
		if (properties.getEvents().isApplicationEvents()) {
			events.addListener(applicationEvents::publishEvent);
		}
		return events;
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	Stores runQueueStores(ObjectProvider<DataSource> dataSource,
			@RunQueueDataSource ObjectProvider<DataSource> runQueueDataSource, RunQueueProperties properties,
			ObjectProvider<RunQueueMigrations> migrations) {
		// Asking for the migrations creates them, and creating them migrates: the stores
		// only work on tables that exist.
		migrations.ifAvailable((migrated) -> {
		});
		return Stores.postgres(dataSource(dataSource, runQueueDataSource), properties.getDatabase().toTableNames());
	}

	@Bean
	@ConditionalOnMissingBean
	JobStore runQueueJobStore(Stores stores) {
		return stores.jobs();
	}

	@Bean
	@ConditionalOnMissingBean
	NodeStore runQueueNodeStore(Stores stores) {
		return stores.nodes();
	}

	@Bean
	@ConditionalOnMissingBean
	RunQueueTopics runQueueTopics(RunQueueProperties properties, RunQueueJobMethodProcessor handlers,
			ObjectProvider<RunQueueCustomizer> customizers) {
		List<RunQueueCustomizer> ordered = customizers.orderedStream().toList();
		Map<String, TopicSettings> declared = new LinkedHashMap<>();
		properties.getTopics()
			.forEach((name, topic) -> declared.put(name, RunQueueTopics.customize(topic.toSettings(name), ordered)));
		return new RunQueueTopics(declared, handlers, ordered, properties.isRequireDeclaredTopics());
	}

	@Bean
	@ConditionalOnMissingBean
	RunQueue runQueue(Stores stores, RunQueueTopics topics, JsonCodec json, ListableBeanFactory beanFactory,
			EventPublisher events) {
		return new DefaultRunQueue(stores, topics, json, scheduleFunctions(beanFactory), events);
	}

	@Bean
	@ConditionalOnMissingBean
	RunQueueAdmin runQueueAdmin(Stores stores, EventPublisher events) {
		return new DefaultRunQueueAdmin(stores, events);
	}

	@Bean
	@ConditionalOnMissingBean
	RunQueueTester runQueueTester(Stores stores, RunQueueTopics topics, RunQueueJobMethodProcessor handlers,
			JsonCodec json, ObjectProvider<PlatformTransactionManager> transactionManager) {
		return new RunQueueTester(stores, topics, handlers, json, transactionManager.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "runqueue.worker.enabled", matchIfMissing = true)
	RunQueueLifecycle runQueueLifecycle(ObjectProvider<DataSource> dataSource,
			@RunQueueDataSource ObjectProvider<DataSource> runQueueDataSource, Stores stores, RunQueue runQueue,
			RunQueueProperties properties, RunQueueTopics topics, RunQueueJobMethodProcessor handlers, JsonCodec json,
			ObjectProvider<PlatformTransactionManager> transactionManager,
			ObjectProvider<RunQueueCustomizer> customizers, ListableBeanFactory beanFactory, EventPublisher events,
			ObjectProvider<ObservationRegistry> observations, Environment environment) {
		DataSource workerDataSource = dataSource(dataSource, runQueueDataSource);
		List<RecurringJob> recurringJobs = new ArrayList<>();
		properties.getTopics().forEach((name, topic) -> {
			RecurringJob recurring = topic.toRecurringJob(name, json);
			if (recurring != null) {
				recurringJobs.add(recurring);
			}
		});
		return new RunQueueLifecycle(() -> {
			WorkerSettings settings = properties.getWorker().toSettings(Threading.VIRTUAL.isActive(environment));
			for (RunQueueCustomizer customizer : customizers.orderedStream().toList()) {
				settings = customizer.customizeWorker(settings);
			}
			return Worker.builder(workerDataSource, stores.jobs())
				.stores(stores)
				.runQueue(runQueue)
				.recurringJobs(recurringJobs)
				.scheduleFunctions(scheduleFunctions(beanFactory))
				.maintenance(properties.getMaintenance().toSettings())
				.settings(settings)
				.json(json)
				.transactionManager(transactionManager.getIfUnique())
				.events(events)
				.observations(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
		}, topics, handlers, json, new ServedTopics(properties));
	}

	// Schedule functions are beans named after the schedule that uses them.
	private static Map<String, ScheduleFunction> scheduleFunctions(ListableBeanFactory beanFactory) {
		return beanFactory.getBeansOfType(ScheduleFunction.class);
	}

	private static DataSource dataSource(ObjectProvider<DataSource> dataSource,
			ObjectProvider<DataSource> runQueueDataSource) {
		return runQueueDataSource.getIfAvailable(dataSource::getObject);
	}

}
