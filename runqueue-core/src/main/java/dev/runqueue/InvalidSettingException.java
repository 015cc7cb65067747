package dev.runqueue;

/**
 * A setting has a value that runqueue cannot work with. The message names the setting,
 * the value and the rule it breaks; {@link #setting()} gives the setting's name alone, so
 * that the Spring Boot starter can report the property it came from.
 */
public class InvalidSettingException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String setting;

	private final String rule;

	private final transient Object value;

	/**
	 * Creates an exception for one setting.
	 * @param setting the setting's name, as a Java property name (for example
	 * {@code maxAttempts})
	 * @param value the rejected value
	 * @param rule what the value must be (for example "must be at least 1")
	 */
	public InvalidSettingException(String setting, Object value, String rule) {
		super(setting + " " + rule + ", but was " + value);
		this.setting = setting;
		this.rule = rule;
		this.value = value;
	}

	/**
	 * Throws an {@link InvalidSettingException} unless {@code valid}.
	 * @param valid whether the value follows the rule
	 * @param setting the setting's name
	 * @param value the value
	 * @param rule what the value must be
	 */
	public static void require(boolean valid, String setting, Object value, String rule) {
		if (!valid) {
			throw new InvalidSettingException(setting, value, rule);
		}
	}

	/**
	 * The name of the setting that is wrong.
	 * @return the setting's name
	 */
	public String setting() {
		return this.setting;
	}

	/**
	 * The rejected value.
	 * @return the value
	 */
	public Object value() {
		return this.value;
	}

	/**
	 * The rule that the value breaks, without the setting's name and value.
	 * @return the rule
	 */
	public String rule() {
		return this.rule;
	}

	/**
	 * The same problem, with the setting's name prefixed by the object that holds it, so
	 * that a nested setting is named by its full path (for example
	 * {@code backoff.multiplier}).
	 * @param prefix the holder's name
	 * @return a new exception
	 */
	public InvalidSettingException within(String prefix) {
		InvalidSettingException nested = new InvalidSettingException(prefix + "." + this.setting, this.value,
				this.rule);
		nested.setStackTrace(getStackTrace());
		return nested;
	}

}
