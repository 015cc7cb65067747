package dev.runqueue.retry;

import java.time.Duration;
import java.util.Random;

import dev.runqueue.InvalidSettingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The arithmetic of {@link Backoff} and the decisions of {@link RetryPolicy}.
 */
class BackoffTest {

	private final Random random = new Random(42);

	@Test
	void waitsGrowByTheMultiplierWithoutJitter() {
		Backoff backoff = new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.0);

		assertThat(backoff.delayAfter(1, this.random)).isEqualTo(Duration.ofSeconds(1));
		assertThat(backoff.delayAfter(2, this.random)).isEqualTo(Duration.ofSeconds(2));
		assertThat(backoff.delayAfter(5, this.random)).isEqualTo(Duration.ofSeconds(16));
	}

	@Test
	void waitsNeverExceedTheMaximum() {
		Backoff backoff = new Backoff(Duration.ofSeconds(1), 10.0, Duration.ofMinutes(1), 0.5);

		for (int failures = 1; failures < 100; failures++) {
			assertThat(backoff.delayAfter(failures, this.random)).isLessThanOrEqualTo(Duration.ofMinutes(1));
		}
	}

	@Test
	void jitterSpreadsWaitsWithinItsFraction() {
		Backoff backoff = new Backoff(Duration.ofSeconds(10), 1.0, Duration.ofSeconds(20), 0.2);
		long smallest = Long.MAX_VALUE;
		long largest = 0;
		for (int i = 0; i < 1000; i++) {
			long millis = backoff.delayAfter(1, this.random).toMillis();
			smallest = Math.min(smallest, millis);
			largest = Math.max(largest, millis);
		}

		assertThat(smallest).isBetween(8000L, 8200L);
		assertThat(largest).isBetween(11800L, 12000L);
	}

	@Test
	void retryPolicyGivesUpAfterTheJobsOwnAttempts() {
		RetryPolicy policy = new RetryPolicy(10, Backoff.fixed(Duration.ofSeconds(3)), true, 3);

		assertThat(policy.retryDelay(1, 2, this.random)).hasValue(Duration.ofSeconds(3));
		assertThat(policy.retryDelay(2, 2, this.random)).isEmpty();
	}

	@Test
	void badSettingsAreNamed() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(5), 2.0, Duration.ofSeconds(1), 0.1))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("max"))
			.withMessage("max must not be shorter than initial (PT5S), but was PT1S");
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> new RetryPolicy(0, Backoff.DEFAULT, true, 3))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("maxAttempts"));
	}

}
