package dev.genledger.db;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableBean;

/**
 * The connection pools Quarkus made (API, admin, replica, readiness check), found among all beans
 * of their type: an injected {@code @Any Instance} resolves to {@link RoutingDataSource} alone, the
 * alternative that stands in front of the default pool.
 */
final class Pools {

    private Pools() {
    }

    /** The name of the readiness check's pool (ops.DatabaseProbe's alone, of one connection). */
    static final String PROBE = "probe";

    /**
     * The active pools that requests take connections from; an unconfigured one (the replica's,
     * without a URL) is inactive and left out, and so is the readiness check's, which is full
     * whenever a check runs and says nothing about requests.
     */
    static List<AgroalDataSource> active() {
        List<AgroalDataSource> pools = new ArrayList<>();
        for (Bean<?> bean : Arc.container().beanManager().getBeans(AgroalDataSource.class, Any.Literal.INSTANCE)) {
            if (bean.getBeanClass() != RoutingDataSource.class && bean instanceof InjectableBean<?> pool && pool.isActive()
                    && !PROBE.equals(bean.getName())) {
                pools.add((AgroalDataSource) Arc.container().instance(pool).get());
            }
        }
        return pools;
    }

    /** The default pool (the primary's). */
    static AgroalDataSource primary() {
        for (Bean<?> bean : Arc.container().beanManager().getBeans(AgroalDataSource.class, Any.Literal.INSTANCE)) {
            if (bean.getBeanClass() != RoutingDataSource.class
                    && bean.getQualifiers().stream().anyMatch(q -> q.annotationType() == jakarta.enterprise.inject.Default.class)) {
                return (AgroalDataSource) Arc.container().instance((InjectableBean<?>) bean).get();
            }
        }
        throw new IllegalStateException("no default datasource");
    }
}
