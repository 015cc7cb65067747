package dev.runqueue.spring.autoconfigure;

import dev.runqueue.job.JobContext;
import dev.runqueue.spring.RunQueueJob;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up fails, with the bean, the method and the fix, when handlers and topics do not
 * fit together.
 */
class RunQueueStartupFailureTests {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				RunQueueAutoConfiguration.class))
		.withPropertyValues(postgres.database().springDataSourcePropertyValues());

	@Test
	void failsWhenAHandlerHasTwoPayloadParameters() {
		this.contextRunner.withUserConfiguration(TwoPayloads.class).run((context) -> {
			InvalidJobHandlerException failure = failure(context.getStartupFailure());
			assertThat(failure.description()).contains("Method 'send'")
				.contains("bean 'runQueueStartupFailureTests.TwoPayloads'")
				.contains("more than one payload parameter: String and Integer");
			assertThat(failure.action()).contains("at most one payload parameter");
		});
	}

	@Test
	void failsWhenAHandlerHasTwoContextParameters() {
		this.contextRunner.withUserConfiguration(TwoContexts.class)
			.run((context) -> assertThat(failure(context.getStartupFailure()).description()).contains("Method 'send'")
				.contains("two JobContext parameters"));
	}

	@Test
	void failsWhenAHandlerHasNoTopic() {
		this.contextRunner.withUserConfiguration(NoTopic.class).run((context) -> {
			InvalidJobHandlerException failure = failure(context.getStartupFailure());
			assertThat(failure.description()).contains("Method 'send'").contains("topic ''");
			assertThat(failure.action()).contains("@RunQueueJob(\"email\")");
		});
	}

	@Test
	void failsWhenATopicHasTwoHandlers() {
		this.contextRunner.withUserConfiguration(FirstEmailHandler.class, SecondEmailHandler.class).run((context) -> {
			InvalidJobHandlerException failure = failure(context.getStartupFailure());
			assertThat(failure.description()).contains("Topic 'email' has two handlers")
				.contains("Method 'send' of bean 'runQueueStartupFailureTests.FirstEmailHandler'")
				.contains("Method 'deliver' of bean 'runQueueStartupFailureTests.SecondEmailHandler'");
			assertThat(failure.action()).contains("Keep one @RunQueueJob(\"email\") method");
		});
	}

	@Test
	void failsWhenADeclaredTopicHasNoHandler() {
		this.contextRunner.withPropertyValues("runqueue.topics.emial.priority=5")
			.withUserConfiguration(FirstEmailHandler.class)
			.run((context) -> {
				InvalidJobHandlerException failure = failure(context.getStartupFailure());
				assertThat(failure.description()).contains("runqueue.topics declares [emial]")
					.contains("The topics with handlers are [email]");
				assertThat(failure.action()).contains("@RunQueueJob(\"emial\")")
					.contains("runqueue.worker.enabled=false");
			});
	}

	@Test
	void failsWhenAHandlersTopicIsNotDeclaredAndDeclarationsAreRequired() {
		this.contextRunner
			.withPropertyValues("runqueue.require-declared-topics=true", "runqueue.topics.report.priority=5")
			.withUserConfiguration(FirstEmailHandler.class, ReportHandler.class)
			.run((context) -> {
				InvalidJobHandlerException failure = failure(context.getStartupFailure());
				assertThat(failure.description()).contains("Method 'send'")
					.contains("handles topic 'email', which is not declared under runqueue.topics");
				assertThat(failure.action()).contains("runqueue.topics.email");
			});
	}

	@Test
	void startsWhenEveryHandlersTopicIsDeclaredAndDeclarationsAreRequired() {
		this.contextRunner
			.withPropertyValues("runqueue.require-declared-topics=true", "runqueue.topics.email.priority=5",
					"runqueue.worker.enabled=false")
			.withUserConfiguration(FirstEmailHandler.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void theFailureAnalyzerReportsTheDescriptionAndTheAction() {
		InvalidJobHandlerException exception = new InvalidJobHandlerException("What is wrong.", "How to fix it.");

		FailureAnalysis analysis = new InvalidJobHandlerFailureAnalyzer().analyze(new RuntimeException(exception));

		assertThat(analysis.getDescription()).isEqualTo("What is wrong.");
		assertThat(analysis.getAction()).isEqualTo("How to fix it.");
	}

	private static InvalidJobHandlerException failure(Throwable startupFailure) {
		Throwable cause = startupFailure;
		while (cause != null && !(cause instanceof InvalidJobHandlerException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("start-up failure caused by InvalidJobHandlerException: " + startupFailure).isNotNull();
		return (InvalidJobHandlerException) cause;
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPayloads {

		@RunQueueJob("email")
		void send(String to, Integer count) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoContexts {

		@RunQueueJob("email")
		void send(JobContext first, JobContext second) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NoTopic {

		@RunQueueJob
		void send(String to) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FirstEmailHandler {

		@RunQueueJob("email")
		void send(String to) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondEmailHandler {

		@RunQueueJob("email")
		void deliver(String to) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReportHandler {

		@RunQueueJob("report")
		void report(String month) {
		}

	}

}
