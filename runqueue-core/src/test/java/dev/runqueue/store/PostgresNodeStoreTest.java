package dev.runqueue.store;

import java.time.Duration;
import java.util.List;

import dev.runqueue.TestJobTable;
import dev.runqueue.testpostgres.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statement of {@link PostgresNodeStore}: nodes, heartbeats and the leader lease,
 * by the database's clock.
 */
class PostgresNodeStoreTest {

	@RegisterExtension
	static final PostgresExtension postgres = new PostgresExtension();

	private PostgresNodeStore nodes;

	private TestJobTable jobs;

	@BeforeEach
	void prepare() {
		this.jobs = TestJobTable.prepare(postgres.dataSource());
		this.jobs.jdbc().sql("TRUNCATE runqueue_node, runqueue_leader").update();
		this.nodes = new PostgresNodeStore(postgres.dataSource(), TableNames.DEFAULT);
	}

	@Test
	void aRegisteredNodeIsAliveWhileItBeatsAndDeadWhenItStops() {
		this.nodes.register("node-a", "host-1", 42, List.of("email", "report"));
		this.nodes.register("node-b", "host-2", 43, List.of("email"));
		this.nodes.markStopped("node-b");

		List<NodeRecord> listed = this.nodes.list(Duration.ofSeconds(30));

		assertThat(listed).extracting(NodeRecord::name).containsExactly("node-a", "node-b");
		NodeRecord a = listed.get(0);
		assertThat(a.alive()).isTrue();
		assertThat(a.host()).isEqualTo("host-1");
		assertThat(a.pid()).isEqualTo(42);
		assertThat(a.topics()).containsExactly("email", "report");
		assertThat(listed.get(1).alive()).isFalse();
		assertThat(listed.get(1).stoppedAt()).isNotNull();
		assertThat(this.nodes.heartbeat("node-a")).isTrue();
		assertThat(this.nodes.heartbeat("node-b")).as("a stopped node does not beat").isFalse();
	}

	@Test
	void aNodeWhoseHeartbeatIsOldIsDead() {
		this.nodes.register("node-a", "host", 1, List.of());
		this.jobs.jdbc()
			.sql("UPDATE runqueue_node SET heartbeat_at = now() - interval '1 minute' WHERE name = 'node-a'")
			.update();

		assertThat(this.nodes.list(Duration.ofSeconds(30))).singleElement()
			.satisfies((node) -> assertThat(node.alive()).isFalse());
		assertThat(this.nodes.list(Duration.ofMinutes(5))).singleElement()
			.satisfies((node) -> assertThat(node.alive()).isTrue());
	}

	@Test
	void registeringAgainRevivesAStoppedNode() {
		this.nodes.register("node-a", "host", 1, List.of("email"));
		this.nodes.markStopped("node-a");

		this.nodes.register("node-a", "host", 2, List.of("report"));

		assertThat(this.nodes.list(Duration.ofSeconds(30))).singleElement().satisfies((node) -> {
			assertThat(node.alive()).isTrue();
			assertThat(node.pid()).isEqualTo(2);
			assertThat(node.topics()).containsExactly("report");
		});
	}

	@Test
	void removeGoneRemovesNodesStoppedOrSilentForLongerThanTheRetention() {
		this.nodes.register("stopped-long-ago", "host", 1, List.of());
		this.nodes.register("silent-long-ago", "host", 2, List.of());
		this.nodes.register("recent", "host", 3, List.of());
		this.jobs.jdbc()
			.sql("UPDATE runqueue_node SET stopped_at = now() - interval '2 days' WHERE name = 'stopped-long-ago'")
			.update();
		this.jobs.jdbc()
			.sql("UPDATE runqueue_node SET heartbeat_at = now() - interval '2 days' WHERE name = 'silent-long-ago'")
			.update();

		assertThat(this.nodes.removeGone(Duration.ofDays(1))).isEqualTo(2);
		assertThat(this.nodes.list(Duration.ofSeconds(30))).extracting(NodeRecord::name).containsExactly("recent");
	}

	@Test
	void oneNodeLeadsUntilItsLeaseExpiresOrItResigns() {
		this.nodes.register("node-a", "host", 1, List.of());
		this.nodes.register("node-b", "host", 2, List.of());

		assertThat(this.nodes.lead("maintenance", "node-a", Duration.ofMinutes(1))).isTrue();
		assertThat(this.nodes.lead("maintenance", "node-b", Duration.ofMinutes(1))).isFalse();
		assertThat(this.nodes.lead("maintenance", "node-a", Duration.ofMinutes(1))).as("renews its own lease").isTrue();
		assertThat(this.nodes.list(Duration.ofSeconds(30))).filteredOn(NodeRecord::leader)
			.extracting(NodeRecord::name)
			.containsExactly("node-a");

		this.jobs.jdbc().sql("UPDATE runqueue_leader SET expires_at = now() - interval '1 second'").update();
		assertThat(this.nodes.lead("maintenance", "node-b", Duration.ofMinutes(1))).as("takes an expired lease")
			.isTrue();
		assertThat(this.nodes.lead("maintenance", "node-a", Duration.ofMinutes(1))).isFalse();

		this.nodes.resign("maintenance", "node-a");
		assertThat(this.nodes.lead("maintenance", "node-a", Duration.ofMinutes(1)))
			.as("another's resign changes nothing")
			.isFalse();
		this.nodes.resign("maintenance", "node-b");
		assertThat(this.nodes.lead("maintenance", "node-a", Duration.ofMinutes(1))).as("takes a resigned lease")
			.isTrue();
	}

}
