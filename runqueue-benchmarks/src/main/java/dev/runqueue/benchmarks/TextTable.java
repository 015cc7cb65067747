package dev.runqueue.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table: columns as wide as their widest cell, numbers aligned right.
 */
final class TextTable {

	private final String[] headers;

	private final List<String[]> rows = new ArrayList<>();

	TextTable(String... headers) {
		this.headers = headers;
	}

	TextTable row(Object... cells) {
		String[] row = new String[this.headers.length];
		for (int i = 0; i < row.length; i++) {
			row[i] = (i < cells.length && cells[i] != null) ? cells[i].toString() : "";
		}
		this.rows.add(row);
		return this;
	}

	void print(PrintStream out) {
		int[] widths = new int[this.headers.length];
		for (int i = 0; i < widths.length; i++) {
			widths[i] = this.headers[i].length();
			for (String[] row : this.rows) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		out.println(line(this.headers, widths, false));
		StringBuilder rule = new StringBuilder();
		for (int i = 0; i < widths.length; i++) {
			rule.append((i > 0) ? "-+-" : "").append("-".repeat(widths[i]));
		}
		out.println(rule);
		for (String[] row : this.rows) {
			out.println(line(row, widths, true));
		}
	}

	private static String line(String[] cells, int[] widths, boolean alignNumbers) {
		StringBuilder line = new StringBuilder();
		for (int i = 0; i < cells.length; i++) {
			if (i > 0) {
				line.append(" | ");
			}
			String cell = cells[i];
			String pad = " ".repeat(widths[i] - cell.length());
			if (alignNumbers && numeric(cell)) {
				line.append(pad).append(cell);
			}
			else {
				line.append(cell).append(pad);
			}
		}
		return line.toString().stripTrailing();
	}

	private static boolean numeric(String cell) {
		return !cell.isEmpty() && cell.matches("[-+~<>]?[0-9][0-9,.]*\\s*(%|x|s|ms|MB|kB|µs)?");
	}

	static String rate(double perSecond) {
		return String.format(Locale.ROOT, "%,.0f", perSecond);
	}

	static String number(long value) {
		return String.format(Locale.ROOT, "%,d", value);
	}

	static String decimal(double value, int digits) {
		return String.format(Locale.ROOT, "%,." + digits + "f", value);
	}

	static String millis(double value) {
		return String.format(Locale.ROOT, (value < 10) ? "%.2f" : "%.1f", value);
	}

	static String percent(double fraction) {
		return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
	}

	static String megabytes(long bytes) {
		return String.format(Locale.ROOT, "%.1f MB", bytes / 1024.0 / 1024.0);
	}

	static String seconds(Double value) {
		return (value != null) ? String.format(Locale.ROOT, "%.2f s", value) : "n/a";
	}

}
