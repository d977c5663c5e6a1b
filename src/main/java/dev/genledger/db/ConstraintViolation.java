package dev.genledger.db;

/**
 * The database refused a change because of an integrity constraint (SQLState class 23) or
 * invalid data (class 22). Permanent: never retried; mapped to 409 or 400.
 */
public class ConstraintViolation extends RuntimeException {

    private final String sqlState;
    private final String constraint;

    public ConstraintViolation(String sqlState, String constraint, Throwable cause) {
        super("database refused the change (SQLState " + sqlState + ", constraint " + constraint + ")", cause);
        this.sqlState = sqlState;
        this.constraint = constraint;
    }

    public String sqlState() {
        return sqlState;
    }

    /** The constraint's name, or null when the database did not name one. */
    public String constraint() {
        return constraint;
    }

    public boolean dataError() {
        return sqlState != null && sqlState.startsWith("22");
    }
}
