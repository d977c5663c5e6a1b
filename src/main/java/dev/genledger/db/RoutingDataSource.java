package dev.genledger.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collection;
import java.util.List;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.AgroalPoolInterceptor;
import io.agroal.api.configuration.AgroalDataSourceConfiguration;

/**
 * The default datasource as everything injects it, Hibernate included: the primary's pool, except
 * that a connection opened while a replica read runs on the thread ({@link DatabaseRoute}) comes
 * from the replica's pool. So Panache entities and plain JDBC route alike, on any thread, with no
 * change to the code that reads. Everything but opening connections (metrics, configuration,
 * flushes) is the primary pool's.
 */
@Alternative
@Priority(1)
@Singleton
public class RoutingDataSource implements AgroalDataSource {

    private static final long serialVersionUID = 1L;

    @Inject
    transient Replica replica;

    private transient AgroalDataSource primary;

    /** The default pool Quarkus made, which this bean stands in front of. */
    @PostConstruct
    void findPrimary() {
        primary = Pools.primary();
    }

    private AgroalDataSource target() {
        return DatabaseRoute.onReplica() ? replica.pool() : primary;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return target().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return target().getConnection(username, password);
    }

    @Override
    public Connection getReadOnlyConnection() throws SQLException {
        return target().getReadOnlyConnection();
    }

    @Override
    public AgroalDataSourceConfiguration getConfiguration() {
        return primary.getConfiguration();
    }

    @Override
    public AgroalDataSourceMetrics getMetrics() {
        return primary.getMetrics();
    }

    @Override
    public void flush(FlushMode mode) {
        primary.flush(mode);
    }

    @Override
    public void setPoolInterceptors(Collection<? extends AgroalPoolInterceptor> interceptors) {
        primary.setPoolInterceptors(interceptors);
    }

    @Override
    public List<AgroalPoolInterceptor> getPoolInterceptors() {
        return primary.getPoolInterceptors();
    }

    @Override
    public boolean isHealthy(boolean newConnection) throws SQLException {
        return primary.isHealthy(newConnection);
    }

    @Override
    public void close() {
        primary.close();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return primary.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        primary.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        primary.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return primary.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return primary.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return target().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return target().isWrapperFor(type);
    }
}
