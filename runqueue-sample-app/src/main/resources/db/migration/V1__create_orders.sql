-- The sample application's own table, migrated by Spring Boot's Flyway beside runqueue's private one.
CREATE TABLE orders (
    id        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item      text    NOT NULL,
    confirmed boolean NOT NULL DEFAULT false
);
