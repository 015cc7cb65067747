package dev.runqueue.store;

/**
 * A job that an insert of many added.
 *
 * @param id its id
 * @param uniqueKey its unique key, or {@code null}
 */
public record InsertedJob(long id, String uniqueKey) {

}
