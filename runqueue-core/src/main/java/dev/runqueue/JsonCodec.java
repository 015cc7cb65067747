package dev.runqueue;

import java.lang.reflect.Type;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns payloads and results into JSON and back, with a Jackson 3 mapper: in Spring Boot
 * the application's own, so that payloads are written and read with the application's
 * modules and settings.
 */
public final class JsonCodec {

	private final JsonMapper mapper;

	/**
	 * A codec with Jackson's default mapper.
	 */
	public JsonCodec() {
		this(JsonMapper.builder().build());
	}

	/**
	 * A codec with the given mapper.
	 * @param mapper the mapper
	 */
	public JsonCodec(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Writes a value as JSON.
	 * @param value the value, may be {@code null}
	 * @return the JSON text
	 * @throws JacksonException if the value cannot be written
	 */
	public String write(Object value) {
		return this.mapper.writeValueAsString(value);
	}

	/**
	 * Reads JSON as a value of a type.
	 * @param json the JSON text
	 * @param type the type, which may be generic
	 * @param <T> the type
	 * @return the value
	 * @throws JacksonException if the JSON does not bind to the type
	 */
	public <T> T read(String json, Type type) {
		JavaType javaType = this.mapper.constructType(type);
		return this.mapper.readValue(json, javaType);
	}

}
