package dev.genledger.db;

import dev.genledger.support.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The real fault tests (serialization failure, killed backend, held lock), against the packaged application. */
@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
class TransientFailureIT extends TransientFailureTests {
}
