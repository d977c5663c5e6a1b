package dev.genledger.quiz;

import dev.genledger.support.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
@WithTestResource(EmbeddedPostgresResource.class)
class QuizResourceIT extends QuizResourceTests {
}
