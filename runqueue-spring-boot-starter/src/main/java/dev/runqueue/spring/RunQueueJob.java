package dev.runqueue.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method as the handler of a topic's jobs. The method may declare a payload
 * parameter of any type that Jackson can bind the job's JSON payload to (a record, a
 * POJO, {@code JsonNode}, {@code String}, ...), a {@link dev.runqueue.job.JobContext}
 * parameter, both, or neither. It may return {@code void} (the job succeeds), a
 * {@link dev.runqueue.job.JobResult} (which decides the outcome), or any other value (the
 * job succeeds with it as its result). An exception fails the attempt; the job is retried
 * until it has used its attempts.
 *
 * <pre class="code">
 * &#64;RunQueueJob("email")
 * void send(Email email, JobContext context) { ... }
 * </pre>
 *
 * A topic has one handler in the application; a method with a wrong signature, or a
 * second handler for a topic, fails start-up with a message that names the bean, the
 * method and the fix.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RunQueueJob {

	/**
	 * The topic whose jobs this method runs.
	 * @return the topic
	 */
	@AliasFor("topic")
	String value() default "";

	/**
	 * The topic whose jobs this method runs; an alias for {@link #value()}.
	 * @return the topic
	 */
	@AliasFor("value")
	String topic() default "";

}
