package dev.runqueue.spring.autoconfigure;

/**
 * A handler method, or the set of handlers and declared topics, cannot work: start-up
 * stops with what is wrong and how to fix it.
 */
public class InvalidJobHandlerException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String description;

	private final String action;

	/**
	 * Creates the exception.
	 * @param description what is wrong, naming the bean and the method
	 * @param action how to fix it
	 */
	public InvalidJobHandlerException(String description, String action) {
		super(description + " " + action);
		this.description = description;
		this.action = action;
	}

	/**
	 * What is wrong.
	 * @return the description
	 */
	public String description() {
		return this.description;
	}

	/**
	 * How to fix it.
	 * @return the action
	 */
	public String action() {
		return this.action;
	}

}
