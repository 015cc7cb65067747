package dev.runqueue.spring.autoconfigure;

import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.runqueue.spring.RunQueueJob;

import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Finds bean methods annotated {@link RunQueueJob}, the way {@code @Scheduled} methods
 * are found: on the target class behind any AOP proxy, with {@link MethodIntrospector} so
 * that bridge and interface methods resolve. Each is checked as its bean is initialized,
 * so that a bad signature or a second handler for a topic stops start-up with the bean,
 * the method and the fix.
 */
public class RunQueueJobMethodProcessor implements BeanPostProcessor {

	// Written while beans are initialized, read by the worker and by RunQueue at any time
	// after.
	private final Map<String, HandlerMethod> handlers = new ConcurrentHashMap<>();

	private final Set<Class<?>> classesWithoutHandlers = ConcurrentHashMap.newKeySet();

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AopInfrastructureBean) {
			return bean;
		}
		Class<?> targetClass = AopProxyUtils.ultimateTargetClass(bean);
		if (this.classesWithoutHandlers.contains(targetClass)
				|| !AnnotationUtils.isCandidateClass(targetClass, RunQueueJob.class)) {
			return bean;
		}
		Map<Method, RunQueueJob> annotated = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<RunQueueJob>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, RunQueueJob.class));
		if (annotated.isEmpty()) {
			this.classesWithoutHandlers.add(targetClass);
			return bean;
		}
		annotated.forEach((method, annotation) -> register(HandlerMethod.of(bean, beanName, method, annotation)));
		return bean;
	}

	private void register(HandlerMethod handler) {
		HandlerMethod existing = this.handlers.putIfAbsent(handler.topic(), handler);
		if (existing != null) {
			throw new InvalidJobHandlerException(
					"Topic '" + handler.topic() + "' has two handlers: " + existing.description() + " and "
							+ handler.description() + ".",
					"Keep one @RunQueueJob(\"" + handler.topic() + "\") method, or give the other a topic of its own.");
		}
	}

	/**
	 * The handler methods found so far, by topic.
	 * @return the handlers, live view
	 */
	Map<String, HandlerMethod> handlers() {
		return Collections.unmodifiableMap(this.handlers);
	}

}
