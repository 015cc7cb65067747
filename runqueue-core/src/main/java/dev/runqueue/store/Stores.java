package dev.runqueue.store;

import javax.sql.DataSource;

/**
 * The stores of runqueue's tables, together, with the connection that listens for their
 * notifications. Close it to give that connection back.
 *
 * @param jobs adding and running jobs
 * @param maintenance promoting, rescuing, pruning, and the dependencies' safety net
 * @param admin what operators do to jobs
 * @param topics what the cluster shares about topics
 * @param schedules recurring jobs
 * @param nodes the cluster's nodes and leader
 * @param notifications the notifications of the tables' changes
 */
public record Stores(JobStore jobs, MaintenanceStore maintenance, AdminStore admin, TopicStore topics,
		ScheduleStore schedules, NodeStore nodes, PostgresNotifications notifications) implements AutoCloseable {

	/**
	 * The PostgreSQL stores on one data source.
	 * @param dataSource the data source
	 * @param tableNames where the tables are
	 * @return the stores
	 */
	public static Stores postgres(DataSource dataSource, TableNames tableNames) {
		return new Stores(new PostgresJobStore(dataSource, tableNames),
				new PostgresMaintenanceStore(dataSource, tableNames), new PostgresAdminStore(dataSource, tableNames),
				new PostgresTopicStore(dataSource, tableNames), new PostgresScheduleStore(dataSource, tableNames),
				new PostgresNodeStore(dataSource, tableNames), new PostgresNotifications(dataSource));
	}

	/**
	 * The PostgreSQL stores on one data source, with a job store given.
	 * @param dataSource the data source
	 * @param jobs the job store, whose table names the others use
	 * @return the stores
	 */
	public static Stores postgres(DataSource dataSource, JobStore jobs) {
		TableNames tableNames = jobs.tableNames();
		return new Stores(jobs, new PostgresMaintenanceStore(dataSource, tableNames),
				new PostgresAdminStore(dataSource, tableNames), new PostgresTopicStore(dataSource, tableNames),
				new PostgresScheduleStore(dataSource, tableNames), new PostgresNodeStore(dataSource, tableNames),
				new PostgresNotifications(dataSource));
	}

	@Override
	public void close() {
		this.notifications.close();
	}

}
