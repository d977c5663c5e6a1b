package dev.genledger.user;

import dev.genledger.support.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
class SoftDeleteIT extends SoftDeleteTests {
}
