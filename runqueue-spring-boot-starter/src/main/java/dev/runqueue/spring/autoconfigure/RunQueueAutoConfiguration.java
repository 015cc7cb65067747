package dev.runqueue.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.runqueue.DefaultRunQueue;
import dev.runqueue.JsonCodec;
import dev.runqueue.RunQueue;
import dev.runqueue.TopicSettings;
import dev.runqueue.store.JobStore;
import dev.runqueue.store.NodeStore;
import dev.runqueue.store.PostgresNodeStore;
import dev.runqueue.store.PostgresJobStore;
import dev.runqueue.spring.RunQueueCustomizer;
import dev.runqueue.spring.RunQueueDataSource;
import dev.runqueue.worker.Worker;
import dev.runqueue.worker.WorkerSettings;
import tools.jackson.databind.json.JsonMapper;

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

	@Bean
	@ConditionalOnMissingBean
	JobStore runQueueJobStore(ObjectProvider<DataSource> dataSource,
			@RunQueueDataSource ObjectProvider<DataSource> runQueueDataSource, RunQueueProperties properties,
			ObjectProvider<RunQueueMigrations> migrations) {
		// Asking for the migrations creates them, and creating them migrates: the store
		// only works on tables
		// that exist.
		migrations.ifAvailable((migrated) -> {
		});
		return new PostgresJobStore(dataSource(dataSource, runQueueDataSource),
				properties.getDatabase().toTableNames());
	}

	@Bean
	@ConditionalOnMissingBean
	NodeStore runQueueNodeStore(ObjectProvider<DataSource> dataSource,
			@RunQueueDataSource ObjectProvider<DataSource> runQueueDataSource, RunQueueProperties properties,
			ObjectProvider<RunQueueMigrations> migrations) {
		migrations.ifAvailable((migrated) -> {
		});
		return new PostgresNodeStore(dataSource(dataSource, runQueueDataSource),
				properties.getDatabase().toTableNames());
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
	RunQueue runQueue(JobStore store, RunQueueTopics topics, JsonCodec json) {
		return new DefaultRunQueue(store, topics, json);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "runqueue.worker.enabled", matchIfMissing = true)
	RunQueueLifecycle runQueueLifecycle(ObjectProvider<DataSource> dataSource,
			@RunQueueDataSource ObjectProvider<DataSource> runQueueDataSource, JobStore store, NodeStore nodes,
			RunQueueProperties properties, RunQueueTopics topics, RunQueueJobMethodProcessor handlers, JsonCodec json,
			ObjectProvider<PlatformTransactionManager> transactionManager,
			ObjectProvider<RunQueueCustomizer> customizers, Environment environment) {
		DataSource workerDataSource = dataSource(dataSource, runQueueDataSource);
		return new RunQueueLifecycle(() -> {
			WorkerSettings settings = properties.getWorker().toSettings(Threading.VIRTUAL.isActive(environment));
			for (RunQueueCustomizer customizer : customizers.orderedStream().toList()) {
				settings = customizer.customizeWorker(settings);
			}
			return Worker.builder(workerDataSource, store)
				.nodeStore(nodes)
				.maintenance(properties.getMaintenance().toSettings())
				.settings(settings)
				.json(json)
				.transactionManager(transactionManager.getIfUnique());
		}, topics, handlers, json);
	}

	private static DataSource dataSource(ObjectProvider<DataSource> dataSource,
			ObjectProvider<DataSource> runQueueDataSource) {
		return runQueueDataSource.getIfAvailable(dataSource::getObject);
	}

}
