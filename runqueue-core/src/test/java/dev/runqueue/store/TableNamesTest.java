package dev.runqueue.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.runqueue.InvalidSettingException;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link TableNames}: the longest prefix it allows leaves every name the migrations build
 * from it within PostgreSQL's 63 bytes, so that none is cut short.
 */
class TableNamesTest {

	private static final Pattern PREFIXED = Pattern.compile("\\$\\{table_prefix}([a-z0-9_]+)");

	@Test
	void theLongestPrefixAllowedKeepsEveryNameWhole() throws IOException {
		String longest = "p".repeat(35);
		new TableNames(null, longest);
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> new TableNames(null, longest + "p"))
			.withMessageContaining("tablePrefix");

		List<String> names = new ArrayList<>();
		for (Resource migration : new PathMatchingResourcePatternResolver()
			.getResources("classpath:db/runqueue/postgresql/*.sql")) {
			try (InputStream in = migration.getInputStream()) {
				Matcher matcher = PREFIXED.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
				while (matcher.find()) {
					names.add(longest + matcher.group(1));
				}
			}
		}
		assertThat(names).isNotEmpty().allSatisfy((name) -> assertThat(name).hasSizeLessThanOrEqualTo(63));
	}

}
