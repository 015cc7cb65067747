package dev.runqueue.spring.autoconfigure;

import java.lang.reflect.InvocationTargetException;

import dev.runqueue.JsonCodec;
import dev.runqueue.job.Job;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.JobHandler;
import dev.runqueue.job.JobResult;
import tools.jackson.core.JacksonException;

/**
 * Runs jobs with a {@link HandlerMethod}: binds the JSON payload to the method's payload
 * type, invokes the method on its bean (through any proxy, so that {@code @Transactional}
 * and other advice apply), and turns what it returns into the job's outcome. A payload
 * that does not bind fails the job for good with the reason, since another attempt would
 * bind no better; the next job goes on.
 */
final class MethodJobHandler implements JobHandler {

	private final HandlerMethod method;

	private final JsonCodec json;

	MethodJobHandler(HandlerMethod method, JsonCodec json) {
		this.method = method;
		this.json = json;
	}

	@Override
	public JobResult handle(Job job, JobContext context) throws Exception {
		Object[] arguments = new Object[this.method.method().getParameterCount()];
		if (this.method.payloadIndex() >= 0) {
			try {
				arguments[this.method.payloadIndex()] = this.json.read(job.payload(), this.method.payloadType());
			}
			catch (JacksonException ex) {
				return JobResult.discard("The payload does not bind to " + this.method.payloadType().getTypeName()
						+ ", the payload type of " + this.method.description() + ": " + ex.getOriginalMessage());
			}
		}
		if (this.method.contextIndex() >= 0) {
			arguments[this.method.contextIndex()] = context;
		}
		Object returned;
		try {
			returned = this.method.method().invoke(this.method.bean(), arguments);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
		if (returned instanceof JobResult result) {
			return result;
		}
		return (returned != null) ? JobResult.success(returned) : JobResult.success();
	}

	@Override
	public String toString() {
		return this.method.description();
	}

}
