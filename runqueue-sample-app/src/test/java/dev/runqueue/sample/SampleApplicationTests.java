package dev.runqueue.sample;

import java.time.Duration;

import dev.runqueue.job.JobState;
import dev.runqueue.store.JobRecord;
import dev.runqueue.store.JobStore;
import dev.runqueue.testpostgres.TestDatabase;
import dev.runqueue.testpostgres.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scenario of runqueue's first source document, run by the sample application against
 * a real PostgreSQL.
 */
@SpringBootTest
@DirtiesContext
class SampleApplicationTests {

	// Dropped when the JVM exits; the context is closed after the class, so nothing is
	// connected to it by then.
	static final TestDatabase database = TestPostgres.createDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		database.springDataSourceProperties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Autowired
	private JobStore jobs;

	@Autowired
	private MyJobService myJobService;

	@Test
	void myJobFailsOnceThenReplacesItselfUntilItsCounterPasses103() {
		long id = this.jobs.findIdHoldingUniqueKey("myjob").getAsLong();

		await().atMost(Duration.ofSeconds(30)).until(() -> this.jobs.find(id).orElseThrow().state().isFinished());

		JobRecord job = this.jobs.find(id).orElseThrow();
		assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(job.errors()).as("failed attempts").isEqualTo(1);
		assertThat(job.runs()).as("successful rounds").isEqualTo(4);
		assertThat(job.result()).isEqualTo("{\"some\": \"value\", \"counter\": 104}");
		assertThat(this.myJobService.counter()).isEqualTo(104);
	}

	@Test
	void addingMyJobAgainIsReportedAsADuplicateOfTheFirst() {
		long id = this.jobs.findIdHoldingUniqueKey("myjob").getAsLong();

		this.myJobService.addMyJob();

		assertThat(this.jobs.findIdHoldingUniqueKey("myjob")).hasValue(id);
	}

}
