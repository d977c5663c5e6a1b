package dev.genledger.ops;

import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What {@code POST /v1/admin/maintenance/optimize} works on (GENLEDGER_MAINTENANCE_VACUUM_TABLES, ...). */
@ConfigMapping(prefix = "genledger.maintenance")
public interface MaintenanceConfig {

    /** The hot tables to VACUUM (ANALYZE), on PostgreSQL 17 and later. */
    @WithDefault("users,credit_ledger")
    List<String> vacuumTables();

    /** The materialized views to refresh. */
    @WithDefault("user_stats")
    List<String> refreshViews();
}
