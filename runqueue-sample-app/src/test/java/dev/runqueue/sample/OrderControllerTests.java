package dev.runqueue.sample;

import java.time.Duration;

import dev.runqueue.job.JobState;
import dev.runqueue.store.JobStore;
import dev.runqueue.testpostgres.TestDatabase;
import dev.runqueue.testpostgres.TestPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Transactional enqueue in the sample: an order and its confirmation job commit together
 * or not at all.
 */
@SpringBootTest
@DirtiesContext
@AutoConfigureMockMvc
class OrderControllerTests {

	// Dropped when the JVM exits; the context is closed after the class, so nothing is
	// connected to it by then.
	static final TestDatabase database = TestPostgres.createDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		database.springDataSourceProperties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Autowired
	private MockMvc mvc;

	@Autowired
	private JobStore jobs;

	@Autowired
	private JsonMapper json;

	@Autowired
	private JdbcClient jdbc;

	@Test
	void anOrderIsStoredWithItsJobWhichConfirmsItInTheSameTransaction() throws Exception {
		String body = this.mvc
			.perform(post("/orders").contentType(MediaType.APPLICATION_JSON).content("{\"item\": \"book\"}"))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();
		JsonNode placed = this.json.readTree(body);
		long orderId = placed.get("orderId").asLong();
		long jobId = placed.get("jobId").asLong();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.jobs.find(jobId).orElseThrow().state() == JobState.SUCCEEDED);
		this.mvc.perform(get("/jobs/" + jobId))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.topic").value("order-confirmation"))
			.andExpect(jsonPath("$.state").value("SUCCEEDED"))
			.andExpect(jsonPath("$.attempt").value(1));
		this.mvc.perform(get("/actuator/runqueue"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.nodes[0].alive").value(true));
		this.mvc.perform(get("/actuator/health/runqueue"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("UP"));
		assertThat(this.jdbc.sql("SELECT confirmed FROM orders WHERE id = :id")
			.param("id", orderId)
			.query(Boolean.class)
			.single()).isTrue();
	}

	@Test
	void anOrderThatFailsLeavesNeitherTheOrderNorItsJob() throws Exception {
		int ordersBefore = count("orders");
		int jobsBefore = count("runqueue_job");

		this.mvc
			.perform(post("/orders?fail=true").contentType(MediaType.APPLICATION_JSON)
				.content("{\"item\": \"rolled back\"}"))
			.andExpect(status().isConflict());

		assertThat(count("orders")).isEqualTo(ordersBefore);
		assertThat(count("runqueue_job")).isEqualTo(jobsBefore);
	}

	private int count(String table) {
		return this.jdbc.sql("SELECT count(*) FROM " + table).query(Integer.class).single();
	}

}
