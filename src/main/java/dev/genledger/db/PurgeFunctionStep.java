package dev.genledger.db;

import java.time.Duration;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * A retention step that calls one of the schema owner's purge functions (V12, V16): the service's
 * role may not delete, the function may. It is given the cutoff, now minus the step's retention.
 */
public abstract class PurgeFunctionStep implements RetentionStep {

    @Inject
    protected EntityManager em;

    @Inject
    RetentionConfig retention;

    private final String name;
    private final int order;
    private final String function;
    private final Function<RetentionConfig, Duration> kept;

    protected PurgeFunctionStep(String name, int order, String function, Function<RetentionConfig, Duration> kept) {
        this.name = name;
        this.order = order;
        this.function = function;
        this.kept = kept;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int order() {
        return order;
    }

    @Override
    public long purge() {
        return ((Number) em.createNativeQuery("SELECT " + function + "(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", kept.apply(retention).toSeconds()).getSingleResult()).longValue();
    }
}
