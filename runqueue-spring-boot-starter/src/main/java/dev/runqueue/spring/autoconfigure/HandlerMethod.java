package dev.runqueue.spring.autoconfigure;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;

import dev.runqueue.InvalidSettingException;
import dev.runqueue.JsonCodec;
import dev.runqueue.TopicSettings;
import dev.runqueue.job.JobContext;
import dev.runqueue.job.JobHandler;
import dev.runqueue.spring.RunQueueJob;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * A bean method annotated {@link RunQueueJob}, checked: which topic it handles, which
 * parameter takes the payload and of what type, which takes the {@link JobContext}.
 *
 * @param topic the topic
 * @param beanName the bean's name
 * @param bean the bean, possibly a proxy, on which the method is invoked
 * @param method the method, invocable on the bean
 * @param payloadIndex the index of the payload parameter, or -1
 * @param payloadType the payload parameter's type, or {@code null}
 * @param contextIndex the index of the {@code JobContext} parameter, or -1
 */
record HandlerMethod(String topic, String beanName, Object bean, Method method, int payloadIndex, Type payloadType,
		int contextIndex) {

	/**
	 * Checks an annotated method.
	 * @param bean the bean
	 * @param beanName its name
	 * @param method the annotated method, as declared on the bean's target class
	 * @param annotation the annotation
	 * @return the checked handler method
	 * @throws InvalidJobHandlerException naming the bean, the method and the fix
	 */
	static HandlerMethod of(Object bean, String beanName, Method method, RunQueueJob annotation) {
		String topic = annotation.value();
		try {
			TopicSettings.requireValidName(topic);
		}
		catch (InvalidSettingException ex) {
			throw new InvalidJobHandlerException(describe(method, beanName) + " has @RunQueueJob with topic '" + topic
					+ "', which " + ex.rule() + ".",
					"Name the topic in the annotation, for example @RunQueueJob(\"email\").");
		}
		if (Modifier.isStatic(method.getModifiers())) {
			throw new InvalidJobHandlerException(describe(method, beanName) + " is static.",
					"Make the @RunQueueJob method an instance method of the bean.");
		}
		int payloadIndex = -1;
		int contextIndex = -1;
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			if (JobContext.class.equals(types[i])) {
				if (contextIndex >= 0) {
					throw new InvalidJobHandlerException(describe(method, beanName) + " has two JobContext parameters.",
							"Declare at most one JobContext parameter.");
				}
				contextIndex = i;
			}
			else {
				if (payloadIndex >= 0) {
					throw new InvalidJobHandlerException(
							describe(method, beanName) + " has more than one payload parameter: "
									+ types[payloadIndex].getSimpleName() + " and " + types[i].getSimpleName() + ".",
							"A @RunQueueJob method takes at most one payload parameter (the job's JSON payload bound to "
									+ "its type) and one JobContext parameter; put the values into one payload type, "
									+ "such as a record.");
				}
				payloadIndex = i;
			}
		}
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		Type payloadType = (payloadIndex >= 0) ? method.getGenericParameterTypes()[payloadIndex] : null;
		return new HandlerMethod(topic, beanName, bean, invocable, payloadIndex, payloadType, contextIndex);
	}

	/**
	 * The method for messages: its name, its bean and the bean's class.
	 * @return the description
	 */
	String description() {
		return describe(this.method, this.beanName);
	}

	/**
	 * The handler that runs jobs with this method.
	 * @param json binds payloads and writes results
	 * @return the handler
	 */
	JobHandler handler(JsonCodec json) {
		return new MethodJobHandler(this, json);
	}

	private static String describe(Method method, String beanName) {
		return "Method '" + method.getName() + "' of bean '" + beanName + "' ("
				+ ClassUtils.getUserClass(method.getDeclaringClass()).getName() + ")";
	}

}
