package dev.runqueue.sample;

import java.util.Map;

import dev.runqueue.RunQueue;
import dev.runqueue.job.JobInfo;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Transactional enqueue over HTTP.
 *
 * <pre>
 * curl -X POST localhost:8080/orders -H 'Content-Type: application/json' -d '{"item":"book"}'
 * curl -X POST 'localhost:8080/orders?fail=true' -H 'Content-Type: application/json' -d '{"item":"book"}'
 * curl localhost:8080/jobs/1
 * </pre>
 */
@RestController
public class OrderController {

	private final OrderService orders;

	private final RunQueue runQueue;

	public OrderController(OrderService orders, RunQueue runQueue) {
		this.orders = orders;
		this.runQueue = runQueue;
	}

	@PostMapping("/orders")
	public OrderService.PlacedOrder place(@RequestBody NewOrder order,
			@RequestParam(defaultValue = "false") boolean fail) {
		return this.orders.place(order.item(), fail);
	}

	@GetMapping("/orders/{id}")
	public ResponseEntity<Map<String, Object>> order(@PathVariable long id) {
		return this.orders.exists(id) ? ResponseEntity.ok(Map.of("id", id)) : ResponseEntity.notFound().build();
	}

	@GetMapping("/jobs/{id}")
	public ResponseEntity<JobInfo> job(@PathVariable long id) {
		return ResponseEntity.of(this.runQueue.find(id));
	}

	@ExceptionHandler(OrderService.OrderFailedException.class)
	public ResponseEntity<Map<String, String>> failed(OrderService.OrderFailedException ex) {
		return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", ex.getMessage()));
	}

	/**
	 * The body of a new order.
	 *
	 * @param item what is ordered
	 */
	public record NewOrder(String item) {

	}

}
