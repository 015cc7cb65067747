package dev.runqueue.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * runqueue's migrations as one SQL script, for teams that apply migrations themselves.
 * Run it with
 * {@code java -cp runqueue-core.jar:spring-core.jar dev.runqueue.store.SchemaScript [schema] [table-prefix]},
 * or call {@link #render(TableNames)}.
 */
public final class SchemaScript {

	/** Where the migrations are, as a class path directory. */
	public static final String LOCATION = "db/runqueue/postgresql";

	/** The placeholder for the table prefix in the migrations. */
	public static final String TABLE_PREFIX_PLACEHOLDER = "table_prefix";

	private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");

	private SchemaScript() {
	}

	/**
	 * Prints the script.
	 * @param args the schema (or {@code -} for the current one) and the table prefix,
	 * both optional
	 */
	public static void main(String[] args) {
		String schema = (args.length > 0 && !args[0].equals("-")) ? args[0] : null;
		String prefix = (args.length > 1) ? args[1] : TableNames.DEFAULT_PREFIX;
		System.out.print(render(new TableNames(schema, prefix)));
	}

	/**
	 * The migrations in version order, with the table prefix filled in and, when a schema
	 * is given, statements that create it and put it first on the search path.
	 * @param tableNames where the tables go
	 * @return the script
	 */
	public static String render(TableNames tableNames) {
		StringBuilder script = new StringBuilder();
		script.append("-- runqueue schema: apply once, then set runqueue.migrations.enabled=false\n");
		if (tableNames.schema() != null) {
			script.append("CREATE SCHEMA IF NOT EXISTS ").append(tableNames.schema()).append(";\n");
			script.append("SET search_path TO ").append(tableNames.schema()).append(";\n");
		}
		for (Resource migration : migrations()) {
			script.append("\n-- ").append(migration.getFilename()).append('\n');
			script.append(read(migration).replace("${" + TABLE_PREFIX_PLACEHOLDER + "}", tableNames.prefix()));
		}
		return script.toString();
	}

	/**
	 * The versions of the migrations that ship with this version of runqueue, in order.
	 * @return the versions, such as {@code ["1", "2"]}
	 */
	public static List<String> versions() {
		return migrations().stream().map((migration) -> String.valueOf(version(migration))).toList();
	}

	static List<Resource> migrations() {
		try {
			Resource[] found = new PathMatchingResourcePatternResolver(SchemaScript.class.getClassLoader())
				.getResources("classpath*:" + LOCATION + "/V*__*.sql");
			return Arrays.stream(found).sorted(Comparator.comparingInt(SchemaScript::version)).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not list runqueue's migrations", ex);
		}
	}

	private static int version(Resource migration) {
		Matcher matcher = VERSION.matcher(String.valueOf(migration.getFilename()));
		if (!matcher.matches()) {
			throw new IllegalStateException("Not a versioned migration: " + migration);
		}
		return Integer.parseInt(matcher.group(1));
	}

	private static String read(Resource migration) {
		try {
			return migration.getContentAsString(StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + migration, ex);
		}
	}

}
