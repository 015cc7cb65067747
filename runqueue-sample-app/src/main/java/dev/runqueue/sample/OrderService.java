package dev.runqueue.sample;

import dev.runqueue.RunQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores orders and adds a confirmation job for each in the same transaction: both
 * commit, or neither does.
 */
@Service
public class OrderService {

	private static final Logger logger = LoggerFactory.getLogger(OrderService.class);

	private final JdbcClient jdbc;

	private final RunQueue runQueue;

	public OrderService(JdbcClient jdbc, RunQueue runQueue) {
		this.jdbc = jdbc;
		this.runQueue = runQueue;
	}

	/**
	 * Stores an order and adds its confirmation job.
	 * @param item what was ordered
	 * @param failAfterAdding whether to fail once both are written, to show that neither
	 * is kept
	 * @return the order and its job
	 */
	@Transactional
	public PlacedOrder place(String item, boolean failAfterAdding) {
		long orderId = this.jdbc.sql("INSERT INTO orders (item) VALUES (:item) RETURNING id")
			.param("item", item)
			.query(Long.class)
			.single();
		long jobId = this.runQueue.add("order-confirmation", new OrderConfirmation(orderId, item)).id();
		if (failAfterAdding) {
			throw new OrderFailedException(
					"Order " + orderId + " failed after its job " + jobId + " was added; both are rolled back");
		}
		return new PlacedOrder(orderId, jobId);
	}

	/**
	 * Whether an order exists.
	 * @param orderId the order
	 * @return {@code true} if it was committed
	 */
	public boolean exists(long orderId) {
		return this.jdbc.sql("SELECT count(*) FROM orders WHERE id = :id")
			.param("id", orderId)
			.query(Integer.class)
			.single() > 0;
	}

	/**
	 * Marks an order confirmed; runs in the confirmation job's transaction.
	 * @param confirmation the job's payload
	 */
	public void confirm(OrderConfirmation confirmation) {
		this.jdbc.sql("UPDATE orders SET confirmed = true WHERE id = :id").param("id", confirmation.orderId()).update();
		logger.info("Confirmed order {} ({})", confirmation.orderId(), confirmation.item());
	}

	/**
	 * An order and its confirmation job.
	 *
	 * @param orderId the order's id
	 * @param jobId the job's id
	 */
	public record PlacedOrder(long orderId, long jobId) {

	}

	/**
	 * The payload of a confirmation job.
	 *
	 * @param orderId the order
	 * @param item what was ordered
	 */
	public record OrderConfirmation(long orderId, String item) {

	}

	/**
	 * An order that failed on purpose.
	 */
	public static class OrderFailedException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		OrderFailedException(String message) {
			super(message);
		}

	}

}
