package dev.runqueue.sample;

import dev.runqueue.spring.RunQueueJob;

import org.springframework.stereotype.Component;

/**
 * Confirms orders. The topic is transactional (see application.yml): the order's update
 * and the job's success commit together.
 */
@Component
public class OrderConfirmationJob {

	private final OrderService orders;

	public OrderConfirmationJob(OrderService orders) {
		this.orders = orders;
	}

	@RunQueueJob("order-confirmation")
	public void confirm(OrderService.OrderConfirmation confirmation) {
		this.orders.confirm(confirmation);
	}

}
